/* The one place in bench/ that knows how sigurg's runtime is set up:
 * which calls make a threaded stack, join two stacks with a memlink, and
 * choose the stack a socket is created on. Everything else in bench/ goes
 * through the POSIX-shaped table of netops.h.
 *
 * Built against whatever include/sigurg/sigurg.h offers: the CMake file
 * checks the header for the calls used here and defines
 * BENCH_HAVE_SG_THREADED when they are all there; otherwise every entry
 * point says what is missing and the benchmarks print "na".
 */
#ifndef SG_BENCH_SGNET_H
#define SG_BENCH_SGNET_H
#include <stdint.h>

struct bench_net;

/* NULL if the threaded sg_* runtime is usable, else why not. */
const char *sgnet_missing(void);
/* Fill n with the sg_* table over two new threaded stacks (10.0.0.1 the
 * client, 10.0.0.2 the server) joined by a memlink of MTU mtu. */
int sgnet_threaded_pair(struct bench_net *n, uint32_t mtu);

#endif
