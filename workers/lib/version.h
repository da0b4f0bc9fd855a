/* The build's version: jobscoutd -v, and the default sentry_release. */

#ifndef JS_VERSION_H
#define JS_VERSION_H

#define JS_VERSION  "0.1.0"

#endif
