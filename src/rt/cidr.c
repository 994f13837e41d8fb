/* Parsing of the "a.b.c.d/len" strings the public API takes for
 * interface addresses and routes. One parser for the world, threaded
 * stacks and the test link. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rt/rt.h"

int rt_parse_cidr4(const char *cidr, struct ipaddr *out, int *plen)
{
    char host[INET_ADDRSTRLEN];
    const char *slash = cidr ? strchr(cidr, '/') : NULL;
    if (!slash || (size_t)(slash - cidr) >= sizeof(host))
        return -1;
    memcpy(host, cidr, (size_t)(slash - cidr));
    host[slash - cidr] = '\0';
    uint32_t be;
    if (inet_pton(AF_INET, host, &be) != 1)
        return -1;
    char *end;
    long n = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end != '\0' || n < 0 || n > 32)
        return -1;
    *out = ipaddr_v4(be);
    *plen = (int)n;
    return 0;
}
