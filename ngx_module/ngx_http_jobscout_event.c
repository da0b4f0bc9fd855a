
/*
 * Job Scout: nginx connections around sockets owned by client libraries
 * (libpq, hiredis).  The library opens and closes the socket; nginx only
 * watches it.
 *
 * Events are level-triggered: libpq and hiredis read one buffer per call and
 * do not report EAGAIN, so with edge-triggered events bytes left in the
 * socket would never wake us again.  The read handlers still read until the
 * socket is empty on every wake-up (ngx_http_jobscout_socket_readable()), so
 * one wake-up serves every reply that has arrived.
 */


#include "ngx_http_jobscout.h"


#define NGX_HTTP_JOBSCOUT_BACKOFF_MAX  2000


ngx_connection_t *
ngx_http_jobscout_event_attach(ngx_socket_t fd, void *data,
    ngx_event_handler_pt read_handler, ngx_event_handler_pt write_handler,
    ngx_log_t *log)
{
    ngx_connection_t  *c;

    c = ngx_get_connection(fd, log);
    if (c == NULL) {
        return NULL;
    }

    c->data = data;
    c->log = log;
    c->read->log = log;
    c->write->log = log;
    c->read->handler = read_handler;
    c->write->handler = write_handler;
    c->number = ngx_atomic_fetch_add(ngx_connection_counter, 1);

    return c;
}


void
ngx_http_jobscout_event_release(ngx_connection_t *c)
{
    /*
     * The library closes the socket right after this, which removes it
     * from epoll: NGX_CLOSE_EVENT spares the epoll_ctl() calls.
     */

    if (c->read->active) {
        ngx_del_event(c->read, NGX_READ_EVENT, NGX_CLOSE_EVENT);
    }

    if (c->write->active) {
        ngx_del_event(c->write, NGX_WRITE_EVENT, NGX_CLOSE_EVENT);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    ngx_free_connection(c);

    /* marks events of this socket already fetched by epoll as stale */
    c->fd = (ngx_socket_t) -1;
}


ngx_int_t
ngx_http_jobscout_event_set(ngx_event_t *ev, ngx_uint_t active)
{
    ngx_int_t  event;

    event = ev->write ? NGX_WRITE_EVENT : NGX_READ_EVENT;

    if (active && !ev->active) {
        return ngx_add_event(ev, event, NGX_LEVEL_EVENT);
    }

    if (!active && ev->active) {
        return ngx_del_event(ev, event, 0);
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_jobscout_socket_readable(ngx_socket_t fd)
{
    u_char   byte;
    ssize_t  n;

    n = recv(fd, &byte, 1, MSG_PEEK|MSG_DONTWAIT);

    /* data, end of file or an error: the library must read to learn which */

    if (n == -1 && (ngx_socket_errno == NGX_EAGAIN
                    || ngx_socket_errno == NGX_EINTR))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * Schedules a reconnect on a cancelable timer, which never delays a
 * graceful shutdown: at once for a connection that was up (*backoff 0),
 * then after a delay doubling from 100 ms to 2 s while connecting fails.
 */

void
ngx_http_jobscout_event_retry(ngx_event_t *timer, ngx_msec_t *backoff)
{
    ngx_msec_t  delay;

    if (ngx_exiting || ngx_terminate) {
        return;
    }

    if (*backoff == 0) {
        delay = 1;
        *backoff = NGX_HTTP_JOBSCOUT_BACKOFF_MIN;

    } else {
        delay = *backoff;
        *backoff = ngx_min(2 * *backoff, NGX_HTTP_JOBSCOUT_BACKOFF_MAX);
    }

    timer->cancelable = 1;
    ngx_add_timer(timer, delay);
}
