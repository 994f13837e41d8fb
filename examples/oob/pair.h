/* A backend gives the example tests a connected TCP pair. */
#ifndef OOB_PAIR_H
#define OOB_PAIR_H
int pair_init(void); /* once; nonzero: backend unavailable */
const char *pair_name(void);
/* tx connected to rx; rcvbuf > 0 sets rx's SO_RCVBUF before connecting and
 * gives tx a 1 MiB SO_SNDBUF. */
int pair_open(int *tx, int *rx, int rcvbuf);
void pair_settle(void);          /* let segments in flight arrive */
void pair_close(int tx, int rx); /* -1 for one already closed */
#endif
