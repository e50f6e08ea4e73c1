/*
 * mont_ifma.c - AVX-512 IFMA exponentiation (52-bit limbs). Not written yet:
 * the engine has no pow, so hsb_nm_engine_get(HSB_NM_PATH_IFMA) returns NULL.
 */
#include "native_mont.h"

const hsb_nm_engine hsb_nm_engine_ifma = {
    .name = "ifma",
};
