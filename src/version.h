/* version.h: the version of bss, printed by `bss version` and /health. */
#ifndef BSS_VERSION_H
#define BSS_VERSION_H
#define BSS_VERSION "0.1.0-dev"
#endif
