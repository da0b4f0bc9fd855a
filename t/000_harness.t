# Self-test of the Test::Nginx::Socket-compatible harness (t/lib) against
# stock nginx, without the Job Scout module.  Written in the real
# Test::Nginx data-driven format, so it must also pass under openresty's
# Test::Nginx::Socket.
use lib 't/lib';
use Test::Nginx::Socket;
use JobScout::Subreaper;    # nginx restarts without waiting for PID 1

repeat_each(2);

# Tests per block: status code + body (or, for must_die, the exit check +
# one error_log pattern) = 2, plus the per-block extras: TEST 1 no_error_log,
# TEST 2 three response_headers lines, TEST 3 error_log, TEST 6 one header.
plan tests => repeat_each() * (blocks() * 2 + 1 + 3 + 1 + 1);

no_shuffle();
no_long_string();
run_tests();

__DATA__

=== TEST 1: plain return, Content-Length body
--- config
    location = /t {
        return 200 "hello";
    }
--- request
GET /t
--- response_body chomp
hello
--- no_error_log
[error]



=== TEST 2: add_header present, absent header, response_headers_like-free
--- config
    location = /h {
        add_header X-Test foo;
        return 200 "ok\n";
    }
--- request
GET /h
--- response_headers
X-Test: foo
!X-Missing
Content-Length: 3
--- response_body
ok



=== TEST 3: 404 with error_code and response_body_like
--- config
    location = /t {
        return 200 "hello";
    }
--- request
GET /nope
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
No such file or directory



=== TEST 4: more_headers echoed back
--- config
    location = /echo {
        return 200 "foo=$http_x_foo len=$content_length body_method=$request_method";
    }
--- request
POST /echo
hello world
--- more_headers
X-Foo: bar baz
--- response_body chomp
foo=bar baz len=11 body_method=POST



=== TEST 5: static file from user_files (Content-Length) via the root location
--- user_files
>>> static.txt
static content
--- config
--- request
GET /static.txt
--- response_body
static content



=== TEST 6: chunked response (gzip-free, unknown length via sub_filter)
--- http_config
    sub_filter_once off;
    sub_filter_types *;
--- config
    location = /chunked {
        sub_filter "a" "b";
        return 200 "aaa";
    }
--- request
GET /chunked
--- response_headers
Transfer-Encoding: chunked
--- response_body chomp
bbb



=== TEST 7: nginx must die on an unknown directive
--- config
    location = /t {
        no_such_directive on;
    }
--- must_die
--- error_log eval
qr/\[emerg\] .*unknown directive "no_such_directive"/
