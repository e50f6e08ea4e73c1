/*
 * native_declassify.h - mark a value derived from secrets as deliberately
 * public: a verdict the contract makes the code act on ("base >= mod", a GCM
 * tag match, the fault check). Under valgrind (tests/ctgrind, where secrets
 * are marked undefined) this tells memcheck the bytes are defined; elsewhere
 * it costs a handful of no-op instructions.
 */
#ifndef HSB_NATIVE_DECLASSIFY_H
#define HSB_NATIVE_DECLASSIFY_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HSB_NATIVE_DECLASSIFY(p, len) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (len)))
#endif
#endif
#ifndef HSB_NATIVE_DECLASSIFY
#define HSB_NATIVE_DECLASSIFY(p, len) ((void)(p), (void)(len))
#endif

#endif
