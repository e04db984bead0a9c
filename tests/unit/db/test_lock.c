/*
 * test_lock.c: the store lock (lock.h) on both backends: a second holder is
 * refused with BSS_E_LOCKED naming the first one's pid (also from another
 * process), release lets the next one in, a missing data dir is created,
 * and bad data dirs or an unreachable PostgreSQL give their own errors. On
 * PostgreSQL the advisory lock refuses a second holder even from another
 * data dir (another machine).
 */
#include <sys/wait.h>

#include "db/dbtest.h"

#include "db/lock.h"

static void test_second_holder_refused(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_store_lock *a = NULL, *b = (bss_store_lock *)&ei;
    char pid[32];

    assert_int_equal(bss_store_lock_acquire(env->dir, env->url, &a, &ei), BSS_OK);
    assert_non_null(a);
    bss_errinfo_clear(&ei);
    assert_int_equal(bss_store_lock_acquire(env->dir, env->url, &b, &ei), BSS_E_LOCKED);
    assert_null(b);
    assert_int_equal(ei.code, BSS_E_LOCKED);
    assert_string_equal(ei.field, "data-dir");
    snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
    assert_non_null(strstr(ei.message, pid));
    assert_non_null(strstr(ei.message, "bss serve"));

    /* Another process is refused too. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        bss_store_lock *c = NULL;
        bss_errinfo cei;
        _exit(bss_store_lock_acquire(env->dir, env->url, &c, &cei) == BSS_E_LOCKED ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    bss_store_lock_release(a);
    assert_int_equal(bss_store_lock_acquire(env->dir, env->url, &b, &ei), BSS_OK);
    bss_store_lock_release(b);
    bss_store_lock_release(NULL);
}

static void test_creates_data_dir(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_store_lock *a = NULL;
    char dir[400], lockfile[450];
    struct stat st;

    snprintf(dir, sizeof(dir), "%s/new/nested/", env->dir);
    assert_int_equal(bss_store_lock_acquire(dir, env->url, &a, &ei), BSS_OK);
    snprintf(lockfile, sizeof(lockfile), "%s/bss.lock", dir);
    assert_int_equal(stat(lockfile, &st), 0);
    bss_store_lock_release(a);
}

static void test_bad_data_dir(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_store_lock *a = NULL;
    char file[400], under[450];

    assert_int_equal(bss_store_lock_acquire("", env->url, &a, &ei), BSS_E_INVALID);
    assert_string_equal(ei.field, "data-dir");
    assert_int_equal(bss_store_lock_acquire(NULL, env->url, &a, &ei), BSS_E_INVALID);
    snprintf(file, sizeof(file), "%s/plain-file", env->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(bss_store_lock_acquire(file, env->url, &a, &ei), BSS_E_IO);
    assert_string_equal(ei.field, "data-dir");
    snprintf(under, sizeof(under), "%s/sub", file);
    assert_int_equal(bss_store_lock_acquire(under, env->url, &a, &ei), BSS_E_IO);
    assert_non_null(strstr(ei.message, "cannot create data dir"));
    assert_null(a);
}

/* PostgreSQL: the advisory lock sees a holder with another data dir; an unreachable server is BSS_E_DB. */
static void test_pg_advisory(void **state)
{
    dbtest_env *env = *state;
    bss_errinfo ei;
    bss_store_lock *a = NULL, *b = NULL;
    char other[400];

    if (env->kind != BSS_DB_POSTGRES)
        return;
    snprintf(other, sizeof(other), "%s/other-machine", env->dir);
    assert_int_equal(bss_store_lock_acquire(env->dir, env->url, &a, &ei), BSS_OK);
    assert_int_equal(bss_store_lock_acquire(other, env->url, &b, &ei), BSS_E_LOCKED);
    assert_string_equal(ei.field, "db");
    assert_non_null(strstr(ei.message, "PostgreSQL"));
    bss_store_lock_release(a);
    assert_int_equal(bss_store_lock_acquire(other, env->url, &b, &ei), BSS_OK);
    bss_store_lock_release(b);

    assert_int_equal(bss_store_lock_acquire(env->dir, "postgres://nobody@127.0.0.1:1/none", &a, &ei),
                     BSS_E_DB);
    assert_null(a);
    /* The failed attempt released its file lock. */
    assert_int_equal(bss_store_lock_acquire(env->dir, env->url, &a, &ei), BSS_OK);
    bss_store_lock_release(a);
}

#define LOCK_TESTS(setup)                                                                                    \
    {                                                                                                        \
        cmocka_unit_test_setup_teardown(test_second_holder_refused, setup, dbtest_teardown),                 \
            cmocka_unit_test_setup_teardown(test_creates_data_dir, setup, dbtest_teardown),                  \
            cmocka_unit_test_setup_teardown(test_bad_data_dir, setup, dbtest_teardown),                      \
            cmocka_unit_test_setup_teardown(test_pg_advisory, setup, dbtest_teardown),                       \
    }

DBTEST_MAIN(LOCK_TESTS)
