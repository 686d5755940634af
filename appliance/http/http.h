/*
 * http.h - the web server: CivetWeb with one table of routes, embedded UI
 * assets, /health and /metrics, access log, graceful shutdown.
 *
 * Handlers are thin: parse and validate, call one function, render JSON.
 * No CPU-heavy work runs on a request thread.
 */
#ifndef DXFQ_HTTP_H
#define DXFQ_HTTP_H

#include "core/core.h"

/* Runs the server with configuration c until SIGTERM or SIGINT; then stops
 * accepting connections, lets running requests finish within
 * [http] shutdown_grace_s, checkpoints the WAL and returns 0.  Returns -1
 * with e filled when it cannot start (port in use, data folder not
 * writable, database newer than the binary ...).
 *
 * The data folder and the database are created when missing.  Signals
 * are taken over only once the server listens, and given back before
 * returning.  CivetWeb notices the stop within 2 s (its accept loop polls
 * in 2 s steps).  If requests are still running when the grace period
 * ends, it returns 0 without waiting for them and leaves their state
 * allocated: the caller must then exit the process promptly.  c must
 * outlive the call. */
int http_serve(const struct cfg *c, struct err *e);

/* Prints the route table to out, one route a line in search order:
 * method, pattern and role ("none", "sales" or "admin") separated by tabs.
 * For developers and for the security tests, which read it so that every
 * route, including routes added later, is checked for 401, 403 and CSRF
 * without editing the tests.  Returns 0, or -1 when writing failed. */
int http_routes_print(FILE *out);

#endif
