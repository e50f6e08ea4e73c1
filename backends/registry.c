#include "hsb_backends.h"

#include <pthread.h>
#include <string.h>

static const hsb_backend *list[8];
static size_t list_len;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
    const hsb_backend *all[] = {
        hsb_openssl_backend(), /* first: the reference, and the source of borrowed classes */
        hsb_gmp_backend(),
        hsb_native_backend(),
        hsb_ipsecmb_backend(),
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]) list[list_len++] = all[i];
}

const hsb_backend *const *hsb_backends(size_t *count)
{
    pthread_once(&once, build);
    if (count) *count = list_len;
    return list;
}

const hsb_backend *hsb_backend_by_name(const char *name)
{
    size_t n;
    const hsb_backend *const *bs = hsb_backends(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(bs[i]->name, name) == 0) return bs[i];
    return NULL;
}

hsb_rc hsb_provider_from_spec(const char *spec, hsb_provider *out, char *err, size_t err_len)
{
    size_t n;
    const hsb_backend *const *bs = hsb_backends(&n);
    return hsb_compose(bs, n, spec, out, err, err_len);
}
