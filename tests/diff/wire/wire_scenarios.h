/* The wire suite's registry (scenarios_wire.c) and what a scenario is. */
#ifndef SIGURG_TESTS_DIFF_WIRE_SCENARIOS_H
#define SIGURG_TESTS_DIFF_WIRE_SCENARIOS_H

#include "wire.h"

#include <stddef.h>

struct wire_scenario {
    const char *name;  /* unique; the spec's name where it gives one */
    const char *rules; /* spec rules and surprises it pins: "R10 S11" */
    /* Runs in a process of its own, in a world the environment built for
     * it; w is initialised (wire_init), the connection not yet opened. */
    void (*run)(struct wire *w);
    int stdurg; /* the world starts with tcp_stdurg=1 */
};

extern const struct wire_scenario wire_scenarios[];
extern const size_t wire_nscenarios;

#endif
