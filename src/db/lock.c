/*
 * lock.c: the store lock (lock.h) that makes `bss serve` the one owner of
 * live state. flock on <data-dir>/bss.lock guards a local store (it is
 * released by the kernel when the process dies, so a crash leaves no stale
 * lock); the holder writes its pid there so the refusal can name it. For
 * PostgreSQL a session-level pg_try_advisory_lock, keyed by the current
 * schema, is held on a connection of its own for as long as the lock lives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/parse.h"
#include "db/db.h"
#include "db/lock.h"

#define STORE_LOCK_CLASS 0x62737300 /* "bss\0": first key of the advisory lock */

struct bss_store_lock {
    int fd;
    bss_db *db; /* PostgreSQL: the connection holding the advisory lock */
};

/* mkdir -p */
static bss_err make_dir(const char *dir, bss_errinfo *ei)
{
    char path[1024];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof(path))
        return bss_fail(ei, BSS_E_INVALID, "data-dir", "data dir path is empty or too long");
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return bss_fail(ei, BSS_E_IO, "data-dir", "cannot create data dir %s: %s", path, strerror(errno));
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return bss_fail(ei, BSS_E_IO, "data-dir", "data dir %s is not a directory", dir);
    return BSS_OK;
}

static long holder_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *p = buf;
    int64_t pid = 0;
    return bss_parse_int64_prefix(&p, buf + n, BSS_NUM_DIGITS, 1, INT32_MAX, &pid) == BSS_OK ? (long)pid : 0;
}

static bss_err lock_file(const char *data_dir, int *fd_out, bss_errinfo *ei)
{
    char path[1100];
    bss_err rc = make_dir(data_dir, ei);

    if (rc != BSS_OK)
        return rc;
    snprintf(path, sizeof(path), "%s/bss.lock", data_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return bss_fail(ei, BSS_E_IO, "data-dir", "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        long pid = holder_pid(fd);
        close(fd);
        if (err != EWOULDBLOCK)
            return bss_fail(ei, BSS_E_IO, "data-dir", "cannot lock %s: %s", path, strerror(err));
        if (pid > 0)
            return bss_fail(
                ei, BSS_E_LOCKED, "data-dir",
                "the store in %s is in use by another bss process (pid %ld, e.g. `bss serve`): stop it "
                "first",
                data_dir, pid);
        return bss_fail(ei, BSS_E_LOCKED, "data-dir",
                        "the store in %s is in use by another bss process (e.g. `bss serve`): stop it first",
                        data_dir);
    }
    char pid[32];
    int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        /* The pid is only a courtesy for the message: the flock is what counts. */
    }
    *fd_out = fd;
    return BSS_OK;
}

static bss_err lock_pg(const char *db_url, bss_db **out, bss_errinfo *ei)
{
    bss_db_options opt = {.busy_timeout_ms = 5000, .retries = 0};
    int64_t got = 0;
    bss_db *db;
    bss_err rc = bss_db_open(db_url, &opt, &db, ei);

    if (rc != BSS_OK)
        return rc;
    rc = bss_db_query_int64(db, "SELECT pg_try_advisory_lock(?, hashtext(current_schema()))",
                            BSS_DB_ARGS(BSS_DB_I64(STORE_LOCK_CLASS)), &got, ei);
    if (rc == BSS_OK && got != 1)
        rc = bss_fail(
            ei, BSS_E_LOCKED, "db",
            "the PostgreSQL store is in use by another bss process (e.g. `bss serve`, maybe on another "
            "machine): stop it first");
    if (rc != BSS_OK) {
        bss_db_close(db);
        return rc;
    }
    *out = db;
    return BSS_OK;
}

bss_err bss_store_lock_acquire(const char *data_dir, const char *db_url, bss_store_lock **out,
                               bss_errinfo *ei)
{
    bss_store_lock *lock;
    bss_err rc;

    *out = NULL;
    if (data_dir == NULL || data_dir[0] == '\0')
        return bss_fail(ei, BSS_E_INVALID, "data-dir", "no data dir given");
    lock = bss_calloc(1, sizeof(*lock));
    if (lock == NULL)
        return bss_fail(ei, BSS_E_NOMEM, NULL, "out of memory taking the store lock");
    lock->fd = -1;
    rc = lock_file(data_dir, &lock->fd, ei);
    if (rc == BSS_OK && db_url != NULL &&
        (strncmp(db_url, "postgres://", 11) == 0 || strncmp(db_url, "postgresql://", 13) == 0))
        rc = lock_pg(db_url, &lock->db, ei);
    if (rc != BSS_OK) {
        bss_store_lock_release(lock);
        return rc;
    }
    *out = lock;
    return BSS_OK;
}

void bss_store_lock_release(bss_store_lock *lock)
{
    if (lock == NULL)
        return;
    bss_db_close(lock->db); /* ends the session: the advisory lock goes with it */
    if (lock->fd >= 0) {
        if (ftruncate(lock->fd, 0) != 0) {
            /* Only the courtesy pid is left behind. */
        }
        close(lock->fd);
    }
    bss_free(lock);
}
