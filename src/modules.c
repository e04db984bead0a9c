/*
 * modules.c: where the domain modules are wired to each other: the one
 * file that may name one module's function in another's table, so no
 * module calls back up into one that builds on it (nginx keeps its
 * ngx_modules[] the same way, apart from the modules themselves). Read at
 * start-up and never changed.
 *
 * bss_outbox_consumers[] (events/events.h): the functions the outbox calls
 * in the transaction of every event it records, in order.
 *
 * The interface's own wiring (which API files serve routes, the access
 * audit of reads) is in src/api/routes.c.
 */
#include "customer/customer.h"
#include "events/events.h"

const bss_outbox_consumer bss_outbox_consumers[] = {
    {"customer.interactions", bss_interaction_on_event}, /* system interactions of subscribers' events */
    {NULL, NULL},
};
