/*
 * demo.h: `bss serve --demo` seeds a demo operator into an empty store
 * (src/cli/demo.c). Each capability adds its part (catalog, customers,
 * lines, usage, bills, payments); a store that already holds data is left
 * alone. Runs after migration, with app->writer started.
 */
#ifndef BSS_CLI_DEMO_H
#define BSS_CLI_DEMO_H

#include "app.h"
#include "core/err.h"

bss_err bss_demo_seed(bss_app *app, bss_errinfo *ei);

#endif
