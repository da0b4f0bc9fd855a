/*
 * The pid file is also a lock: the master holds a write lock on it for
 * its whole life, so a second master refuses to start even if the file
 * is stale or was edited, and "-s" can ask the kernel who holds it.
 */

#ifndef JS_PIDFILE_H
#define JS_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Returns the locked fd, or -1 with err set (e.g. already running). */
int js_pidfile_create(const char *path, char *err, size_t errlen);

/* Unlinks and unlocks; only the process that created it calls this. */
void js_pidfile_delete(const char *path, int fd);

/* The pid of the live master owning path, or -1 with err set. */
pid_t js_pidfile_owner(const char *path, char *err, size_t errlen);

#endif
