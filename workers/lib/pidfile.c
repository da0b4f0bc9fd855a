#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pidfile.h"

static pid_t
js_pidfile_read(int fd)
{
    char     buf[32];
    ssize_t  n;

    n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n <= 0) {
        return -1;
    }
    buf[n] = '\0';
    return (pid_t) atol(buf);
}

int
js_pidfile_create(const char *path, char *err, size_t errlen)
{
    int           fd, n;
    char          buf[32];
    pid_t         other;
    struct flock  fl;

    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1) {
        snprintf(err, errlen, "open() \"%s\" failed (%d: %s)", path, errno,
                 strerror(errno));
        return -1;
    }

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;

    if (fcntl(fd, F_SETLK, &fl) == -1) {
        if (errno == EAGAIN || errno == EACCES) {
            other = js_pidfile_read(fd);
            snprintf(err, errlen, "jobscoutd is already running (pid %ld, "
                     "pid file \"%s\")", (long) other, path);
        } else {
            snprintf(err, errlen, "fcntl(F_SETLK) \"%s\" failed (%d: %s)",
                     path, errno, strerror(errno));
        }
        close(fd);
        return -1;
    }

    n = snprintf(buf, sizeof(buf), "%ld\n", (long) getpid());

    if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, n, 0) != n) {
        snprintf(err, errlen, "write() \"%s\" failed (%d: %s)", path, errno,
                 strerror(errno));
        close(fd);
        return -1;
    }

    return fd;
}

void
js_pidfile_delete(const char *path, int fd)
{
    /* Unlink first: nobody may see the file unlocked yet present. */
    unlink(path);
    close(fd);
}

pid_t
js_pidfile_owner(const char *path, char *err, size_t errlen)
{
    int           fd;
    pid_t         pid;
    struct flock  fl;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        snprintf(err, errlen, "open() \"%s\" failed (%d: %s)", path, errno,
                 strerror(errno));
        return -1;
    }

    pid = js_pidfile_read(fd);

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;

    if (fcntl(fd, F_GETLK, &fl) == -1) {
        snprintf(err, errlen, "fcntl(F_GETLK) \"%s\" failed (%d: %s)",
                 path, errno, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);

    if (fl.l_type == F_UNLCK) {
        snprintf(err, errlen, "jobscoutd is not running (stale pid file "
                 "\"%s\")", path);
        return -1;
    }

    /* The lock holder is authoritative; the content is for humans. */
    if (fl.l_pid > 0) {
        pid = fl.l_pid;
    }

    if (pid <= 0) {
        snprintf(err, errlen, "invalid pid in \"%s\"", path);
        return -1;
    }

    return pid;
}
