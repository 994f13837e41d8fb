/* The runtime's socket side: descriptors, per-stack locking and waiting,
 * signals. Private to src/rt (the public face is sigurg.h's sg_* calls).
 *
 * Objects and who protects what:
 *   rt_file   one descriptor (a socket or an epoll instance). Refcounted:
 *             the descriptor table holds one reference while the number is
 *             open, every call in progress holds one. The last put closes
 *             the socket (lingering if asked).
 *   rt_stack  the runtime's part of an sg_stack: its mutex (everything of
 *             the core stack, its sockets, their files' socket fields and
 *             watch lists), a condition variable broadcast on every socket
 *             event, the signals to send once the mutex is dropped, and
 *             for threaded / caller-driven stacks the service thread, the
 *             wake-up eventfd and the wait descriptor.
 *   fdtable   the descriptor table, the only global mutable state: one
 *             mutex, an array indexed by descriptor.
 * Lock order: stack lock -> epoll ready lock; the descriptor-table lock is
 * never held while taking another. Never two stack locks at once (except
 * sg_stack_free, which holds a peer's lock while detaching a link from a
 * stack whose own thread is already stopped).
 */
#ifndef SG_RT_RT_SOCK_H
#define SG_RT_RT_SOCK_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/time.h"
#include "rt/rt.h"
#include "sock/sock.h"

struct rt_file;
struct rt_epoll;

enum rt_mode {
    RT_MODE_SIM = 1,      /* a world's stack: blocking steps the world */
    RT_MODE_DRIVEN = 2,   /* sg_stack_new, not started: blocking drives it */
    RT_MODE_THREADED = 3, /* a service thread runs it */
};

/* A signal to send once the stack lock is dropped. */
struct rt_sig {
    pid_t owner; /* > 0 process, < 0 process group */
    int sig;
    int code; /* POLL_* for F_SETSIG signals, 0 for plain kill() */
    long band;
    int fd;
};

/* One memlink pair between two runtime stacks: who is still alive, so
 * the second to go can detach safely (see sg_stack_free). */
struct rt_pair {
    pthread_mutex_t lock;
    sg_stack *side[2];
    int refs;
};

/* A link this stack owns besides the world's: its pair (NULL if none). */
struct rt_link {
    struct link *link; /* outermost endpoint, also in st->ifaces */
    struct rt_pair *pair;
    int side;
};

struct rt_stack {
    sg_stack *st;
    enum rt_mode mode;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast after socket events (CLOCK_MONOTONIC; see bcast) */
    bool locked;         /* the lock is held by an API call or the service loop */
    bool in_api;         /* ... by an API call (no SIGIO for the caller's own changes) */
    bool bcast;          /* an event since the last broadcast: broadcast once the lock is
                            dropped, so woken waiters do not block on it at once */
    uint32_t nfiles;     /* socket files on this stack */
    struct rt_file *files;
    struct rt_sig *sigs;
    uint32_t nsigs, sigs_cap;
    /* threaded / caller-driven */
    int wake_efd; /* written to wake whoever runs the stack */
    int wait_fd;  /* epoll: wake_efd + the links' own descriptors */
    pthread_t thread;
    bool running, stop;
    uint32_t nblocked;      /* callers blocked driving a caller-driven stack */
    _Atomic uint64_t evgen; /* socket events so far (a blocked driver's "did
                            processing change anything?", and what a
                            spinning waiter watches without the lock) */
    sg_time sleep_until;    /* when the runner will next wake by itself */
    /* Threads that queued this stack for direct processing (stack_rt.c)
     * and have not yet done it: sg_stack_free waits for 0. */
    atomic_uint direct_refs;
    struct rt_link *links;
    uint32_t nlinks, links_cap;
    uint32_t nlink_pairs; /* links created, for seeds and names */
    /* Standard signals sent lately (coalescing in a world, signal.c). */
    struct {
        pid_t owner;
        int sig;
        sg_time t;
        uint64_t epoch;
    } recent[4];
    uint32_t nrecent;
};

/* A watcher on a socket file: epoll items and poll waiters. Called under
 * the stack lock with the event bits and the socket's new poll mask. */
struct rt_watch {
    struct rt_watch *next;
    void (*fn)(struct rt_watch *w, struct rt_file *f, unsigned ev, unsigned mask);
};

enum rt_kind { RT_FILE_SOCK = 1, RT_FILE_EPOLL = 2 };

struct rt_file {
    atomic_int refs;
    enum rt_kind kind;
    int fd;  /* the descriptor (an eventfd); -1 once closed (stack lock) */
    int num; /* the number it had, for si_fd and messages */
    /* F_GETFL bits: O_NONBLOCK, O_ASYNC, O_APPEND (atomic: read without
     * the lock by calls deciding whether to block) */
    atomic_int fl;
    /* sockets: the rest is under the stack lock */
    sg_stack *st;
    struct sock *sk;
    pid_t owner;      /* F_SETOWN: > 0 pid, < 0 process group, 0 none */
    int sigio;        /* F_SETSIG: 0 means SIGIO */
    uint64_t efd_val; /* what the eventfd counter holds (readiness shown) */
    bool nospace;     /* a send found no space (Linux SOCKWQ_ASYNC_NOSPACE) */
    struct rt_watch *watches;
    struct rt_file *snext, *sprev; /* on rt_stack.files */
    /* epoll instances */
    struct rt_epoll *ep;
};

/* ---- fdtable.c ---------------------------------------------------------- */

/* A new file of `kind` with refs 1 and a fresh eventfd as its number, not
 * yet in the table. NULL and errno (EMFILE, ENFILE, ENOMEM) on failure. */
struct rt_file *rt_file_new(enum rt_kind kind, bool cloexec);
/* Put a new file in the table: from here on its number reaches it, and
 * the reference from rt_file_new is the table's. 0, or -ENOMEM (the file
 * is then still the caller's). */
int rt_file_install(struct rt_file *f);
/* Free a file that never reached the table (closes its eventfd). */
void rt_file_discard(struct rt_file *f);
/* The file behind descriptor fd with a reference taken, or NULL (EBADF). */
struct rt_file *rt_file_get(int fd);
/* Remove fd from the table, returning the table's reference (NULL: EBADF). */
struct rt_file *rt_file_remove(int fd);
/* Remove f from the table if its number still leads to it; true if so
 * (the caller then owns the table's reference). */
bool rt_file_remove_if(struct rt_file *f);
/* Drop a reference; the last one destroys the file (rt_sock_destroy /
 * rt_epoll_destroy). */
void rt_file_put(struct rt_file *f);
/* Close the eventfd behind a removed file (stack lock held for sockets). */
void rt_file_close_fd(struct rt_file *f);
/* How many descriptor lookups (sg_* calls) there have been: the
 * application "ran" since a signal was raised if this moved (signal.c). */
uint64_t rt_api_epoch(void);
/* Make the eventfd show the socket's readiness (mask: POLL* bits). */
void rt_file_show(struct rt_file *f, unsigned mask);
/* Set the eventfd of a non-socket file readable (1) or not (0). */
void rt_file_show_readable(struct rt_file *f, bool readable);

/* ---- stack_rt.c --------------------------------------------------------- */

/* The stack's runtime part, created on first use for a world's stack.
 * NULL (ENOMEM) on failure. */
struct rt_stack *rt_stack_of(sg_stack *st);
/* The stack's clock now (virtual in a world). */
sg_time rt_now(sg_stack *st);
/* Lock for an API call / unlock after it: unlocking tells the runner about
 * timers the call armed (sim: poll at the next step; threaded: wake the
 * service thread if its sleep is now too long) and sends queued signals. */
void rt_lock(struct rt_stack *rs);
void rt_unlock(struct rt_stack *rs);
/* Forget that this thread holds a threaded stack's lock (it was dropped
 * by hand) and process the peer stacks its transmissions queued. */
void rt_unlocked(void);
/* Wait for something to happen on the stack, with the lock held (it is
 * released while waiting): 0 to try again, -ETIMEDOUT once `deadline`
 * (stack clock; SG_TIME_NEVER: none) has passed, -EDEADLK for a world
 * with nothing left to do and no deadline. Spurious returns are allowed. */
int rt_block(struct rt_stack *rs, sg_time deadline);
/* now + timeout in the stack's clock; SG_TIME_NEVER for "for ever". */
sg_time rt_deadline(sg_stack *st, sg_time timeout);
/* Take a world stack's rt_stack down when its last socket is gone. */
void rt_stack_maybe_release(sg_stack *st);
/* Give a runtime stack (sg_stack_new) an interface on link l, with the
 * address cidr ("10.0.0.1/24"); the stack owns l from then on and
 * destroys it in sg_stack_free. For drivers with a descriptor (TUN, TAP:
 * link_ops.wait_fd), which the service thread then waits on. 0 or -errno
 * (-EINVAL bad address or a world's stack, -ENOMEM; on -EINVAL l is still
 * the caller's). Not public until links are (sigurg.h has no link type). */
int rt_stack_add_link(sg_stack *st, struct link *l, const char *cidr);
/* Process a driven or threaded stack now (lock held); the next deadline. */
sg_time rt_process_locked(struct rt_stack *rs, sg_time now);
/* poll/epoll waiting on caller-driven stacks: process st now (it was
 * readable or due). */
void rt_drive_due(sg_stack *st);
/* poll/epoll waiting on a world: one step, or the clock to the deadline,
 * as rt_block (no lock held). 0, -ETIMEDOUT or -EDEADLK. */
int rt_world_wait(sg_world *w, sg_time deadline);

/* What a poll/epoll wait over several stacks must watch besides its own
 * wake-up descriptor: a world to step (the first simulated stack seen), or
 * the wait descriptors and deadlines of caller-driven stacks. */
#define RT_WAITSET_MAX 16
struct rt_waitset {
    sg_world *world;
    sg_stack *driven[RT_WAITSET_MAX];
    uint32_t ndriven;
};
void rt_waitset_add(struct rt_waitset *ws, sg_stack *st);
/* Wait for `efd` (readable), the driven stacks or `deadline` (the
 * waitset's clock: the world's if any, else monotonic); then process the
 * driven stacks that are due. 0, -ETIMEDOUT or -EDEADLK (world only). */
int rt_waitset_wait(struct rt_waitset *ws, int efd, sg_time deadline);
/* The waitset's clock now. */
sg_time rt_waitset_now(const struct rt_waitset *ws);

/* ---- sockets (api.c) ----------------------------------------------------- */

/* The socket event callback (sock_set_owner). */
void rt_sock_event(void *ctx, struct sock *sk, unsigned ev);
/* The last reference to a socket file went: close the socket. */
void rt_sock_destroy(struct rt_file *f);
/* sg_stack_free: close a socket file whose stack is going away. */
void rt_sock_orphan(struct rt_file *f);

/* ---- signal.c ------------------------------------------------------------ */

/* Queue the signals socket events call for (R22 SIGURG; O_ASYNC SIGIO /
 * F_SETSIG). Stack lock held; sent by rt_sig_flush after unlocking (or at
 * once when nobody holds the lock: a world step outside any call). */
void rt_sig_event(struct rt_stack *rs, struct rt_file *f, unsigned ev, unsigned mask);
/* Send signals taken from a stack (called without any lock). */
void rt_sig_send(const struct rt_sig *sigs, uint32_t n);
/* Raise SIGPIPE in the calling thread (the kernel sends it to the thread). */
void rt_sig_pipe(void);
/* F_SETOWN validation: 0, or -ESRCH when no such process / group. */
int rt_sig_check_owner(pid_t owner);

/* ---- epoll.c -------------------------------------------------------------- */

void rt_epoll_destroy(struct rt_file *f);
/* sg_close of an epoll descriptor: close its eventfd (under its lock). */
void rt_epoll_close_fd(struct rt_file *f);
/* A watched socket file is being closed: drop its epoll items. */
void rt_epoll_forget(struct rt_file *target);
#endif
