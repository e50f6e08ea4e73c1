/*
 * hsb_ctgrind.h - what every ctgrind test program shares (tests/ctgrind,
 * tests/native-mont's 8-lane check): the marks for secret and public
 * memory, and the parent's side: whether valgrind can run here, and running
 * this same program under it (the child sees RUNNING_ON_VALGRIND).
 * HSB_VALGRIND is valgrind's path when CMake found it.
 */
#ifndef HSB_CTGRIND_H
#define HSB_CTGRIND_H

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#define SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))

/* valgrind's exit status when memcheck reported an error. */
#define VG_ERROR_EXIT 42

/* 0 when valgrind can run this program; otherwise says why (SKIP) and
 * returns ctest's skip status, 77. */
static inline int hsb_ctgrind_unavailable(void)
{
#if defined(HSB_SANITIZED)
    printf("SKIP: sanitizer build (valgrind cannot run ASan binaries)\n");
    return 77;
#elif !defined(HSB_VALGRIND)
    printf("SKIP: valgrind not found at configure time\n");
    return 77;
#else
    if (access(HSB_VALGRIND, X_OK) != 0) {
        printf("SKIP: %s not executable\n", HSB_VALGRIND);
        return 77;
    }
    return 0;
#endif
}

/* Run self (argv[0]) with the NULL-terminated args under valgrind's
 * memcheck (errors exit VG_ERROR_EXIT); its exit status, 128 when it did
 * not exit. Only after hsb_ctgrind_unavailable() returned 0. */
static inline int hsb_ctgrind_run(const char *self, char *const *args)
{
#ifdef HSB_VALGRIND
    char *argv[16] = {(char *)HSB_VALGRIND, (char *)"-q", (char *)"--error-exitcode=42",
                      (char *)"--track-origins=yes", (char *)self};
    for (size_t i = 0; args[i] && i + 6 < sizeof argv / sizeof argv[0]; i++) argv[5 + i] = args[i];
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(HSB_VALGRIND, argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
#else
    (void)self;
    (void)args;
    return 128;
#endif
}

/* The verdict of a run under valgrind, printed and as the program's exit
 * status. A leaky control (control != 0) must be caught by valgrind itself
 * (VG_ERROR_EXIT), not fail some other way: caught exits 1, which the
 * control's ctest marks WILL_FAIL. The real run must be clean: exit 0. */
static inline int hsb_ctgrind_verdict(const char *what, int control, int code)
{
    if (control) {
        printf("%s, leaky control: %s (valgrind exit %d)\n", what,
               code == VG_ERROR_EXIT ? "caught" : "NOT caught", code);
        return code == VG_ERROR_EXIT ? 1 : 0;
    }
    printf("%s: %s (valgrind exit %d)\n", what, code == 0 ? "clean" : "FAILED", code);
    return code == 0 ? 0 : 1;
}

#endif
