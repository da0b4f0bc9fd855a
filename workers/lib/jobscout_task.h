/*
 * Job Scout tasks on Redis: the one header that jobscoutd and the nginx
 * module both include to enqueue.  Macros only: nginx's build compiles
 * the module with nothing else of workers/.
 *
 * A task is a JSON object:
 *
 *   {"id": "<32 hex>", "kind": "<kind>", "args": {...}, "attempt": 0,
 *    "enqueued_at": <unix ms>}
 *
 * Producers LPUSH it onto a queue; consumers take it with
 * BLMOVE <queue> <processing list> RIGHT LEFT (first in, first out).
 */

#ifndef JOBSCOUT_TASK_H
#define JOBSCOUT_TASK_H

#define JOBSCOUT_QUEUE_PREFIX               "jobscout:queue:"
#define JOBSCOUT_QUEUE_MAIL                 "jobscout:queue:mail"

/* args: {"to": "<e-mail>", "name": "<full name>", "token": "<hex>"} */
#define JOBSCOUT_TASK_MAIL_VERIFY_EMAIL     "mail.verify_email"
#define JOBSCOUT_TASK_MAIL_RESET_PASSWORD   "mail.reset_password"

#endif /* JOBSCOUT_TASK_H */
