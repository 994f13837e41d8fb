/* Forced into glibc_oob.c and oob_examples_test.c (-include) to run them
 * on sigurg: porting a BSD-socket program is renaming its calls. System
 * headers come first so their declarations are not renamed. */
#ifndef SG_RENAME_H
#define SG_RENAME_H
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sigurg/sigurg.h"

#define socket(...) sg_socket(__VA_ARGS__)
#define bind(...) sg_bind(__VA_ARGS__)
#define listen(...) sg_listen(__VA_ARGS__)
#define accept(...) sg_accept(__VA_ARGS__)
#define connect(...) sg_connect(__VA_ARGS__)
#define send(...) sg_send(__VA_ARGS__)
#define recv(...) sg_recv(__VA_ARGS__)
#define read(...) sg_read(__VA_ARGS__)
#define close(...) sg_close(__VA_ARGS__)
#define ioctl(...) sg_ioctl(__VA_ARGS__)
#define fcntl(...) sg_fcntl(__VA_ARGS__)
#define poll(...) sg_poll(__VA_ARGS__)
#define sockatmark(...) sg_sockatmark(__VA_ARGS__)
#define setsockopt(...) sg_setsockopt(__VA_ARGS__)
#define getsockname(...) sg_getsockname(__VA_ARGS__)
#endif
