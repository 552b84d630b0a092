/* httpblk: a read-only block device (/dev/nbdN) whose blocks are read on demand from a
 * file on a plain HTTP server, by range requests (`Range: bytes=A-B`, answered 206).
 *
 * The initrd's init (image/boot/init) uses it for a network boot's stage2: the squashfs
 * stays on the server and only the pages the installer touches are fetched, into page
 * cache the kernel may drop again, instead of the whole image copied into RAM.
 *
 * No server-side component: any static file server that honours Range (nginx, Apache,
 * busybox httpd, lighttpd...). A server that answers 200 (no range support) makes the
 * first request fail with exit status 3, and the init copies the image into RAM instead.
 *
 * The kernel's NBD client is driven through its ioctl interface (no nbd-client): a
 * socketpair; NBD_SET_BLKSIZE, NBD_SET_SIZE, NBD_SET_FLAGS (read-only), NBD_SET_SOCK; one
 * child process sits in NBD_DO_IT for the device's lifetime, another answers the
 * kernel's requests on the other end of the socketpair (NBD_CMD_READ by HTTP on a
 * kept-alive connection, NBD_CMD_DISC ends it). A read the server does not answer (it
 * restarts, the network is down) is tried again with backoff for --retry seconds (300),
 * each failure said on stderr and the --log file, before the kernel gets EIO.
 *
 * The serving process holds the pages of the root file system: it locks itself in RAM
 * (mlockall) and asks never to be chosen by the OOM killer (oom_score_adj -1000), or a
 * machine short of memory would hang waiting for it. It is linked statically and never
 * touches a file system after it starts (switch_root deletes the initramfs under it).
 *
 * Usage:
 *   httpblk [--retry S] [--log FILE] DEVICE ADDRESS PORT PATH HOST   attach, exit when ready
 *   httpblk [--retry S] --size ADDRESS PORT PATH HOST                  print the file's size
 *   httpblk [--retry S] --read OFF:LEN[,OFF:LEN...] ADDRESS PORT PATH HOST
 *                                      the bytes (past the end: zeros, as the device reads)
 *   httpblk --disconnect DEVICE
 *   httpblk [--retry S] --serve-fd FD ADDRESS PORT PATH HOST
 *                                      NBD requests on an inherited socket, no device (tests)
 * ADDRESS is an IPv4 address (the init resolves names); HOST is the Host header's value.
 * Exit status: 0 done, 1 failed, 2 usage, 3 the server ignores Range (answered 200).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* linux/nbd.h, spelt out so the build needs no kernel headers */
#define NBD_SET_SOCK _IO(0xab, 0)
#define NBD_SET_BLKSIZE _IO(0xab, 1)
#define NBD_SET_SIZE _IO(0xab, 2)
#define NBD_DO_IT _IO(0xab, 3)
#define NBD_CLEAR_SOCK _IO(0xab, 4)
#define NBD_CLEAR_QUE _IO(0xab, 5)
#define NBD_DISCONNECT _IO(0xab, 8)
#define NBD_SET_FLAGS _IO(0xab, 10)
#define NBD_FLAG_HAS_FLAGS (1 << 0)
#define NBD_FLAG_READ_ONLY (1 << 1)
#define NBD_REQUEST_MAGIC 0x25609513
#define NBD_REPLY_MAGIC 0x67446698
enum { NBD_CMD_READ = 0, NBD_CMD_WRITE = 1, NBD_CMD_DISC = 2, NBD_CMD_FLUSH = 3 };

#define BLOCK 4096u
#define MAX_REQUEST_KB "256" /* the kernel's requests are capped to this (a locked buffer) */
#define IO_TIMEOUT 30        /* seconds: connect, send, and each wait for an answer */

enum { HB_OK = 0, HB_RETRY, HB_FATAL, HB_NORANGE };

static const char *g_address, *g_path, *g_host;
static int g_port;
static int g_retry = 300;
static int g_logfd = -1;     /* --log, once the device is up (before: stderr only) */
static const char *g_logpath;
static uint64_t g_size; /* the file's size in bytes */

static void say(const char *fmt, ...) {
    char line[1024];
    va_list ap;
    int n = snprintf(line, sizeof line, "httpblk: ");
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    if (write(2, line, n) < 0) { /* nothing to do about it */ }
    if (g_logfd >= 0 && write(g_logfd, line, n) < 0) { }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ HTTP client */

static struct {
    int fd;
    int reused; /* at least one answer came on it: the server may have closed it since */
    char buf[16384];
    size_t start, end;
} C = {.fd = -1};

static void conn_close(void) {
    if (C.fd >= 0) close(C.fd);
    C.fd = -1;
    C.reused = 0;
    C.start = C.end = 0;
}

static int conn_open(char *why, size_t whylen) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(g_port)};
    struct timeval tv = {.tv_sec = IO_TIMEOUT};
    int one = 1;
    if (inet_pton(AF_INET, g_address, &sa.sin_addr) != 1) {
        snprintf(why, whylen, "%s is not an IPv4 address", g_address);
        return -1;
    }
    C.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (C.fd < 0) {
        snprintf(why, whylen, "socket: %s", strerror(errno));
        return -1;
    }
    /* Linux bounds connect() by the send timeout */
    setsockopt(C.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(C.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(C.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(C.fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(why, whylen, "cannot connect to %s:%d: %s", g_address, g_port,
                 errno == EINPROGRESS || errno == EAGAIN ? "no answer" : strerror(errno));
        conn_close();
        return -1;
    }
    C.reused = 0;
    C.start = C.end = 0;
    return 0;
}

static int send_all(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        len -= n;
    }
    return 0;
}

/* more bytes into C.buf; -1 with the reason on an error or the end of the connection */
static int fill(char *why, size_t whylen) {
    if (C.start == C.end) C.start = C.end = 0;
    if (C.end == sizeof C.buf) {
        memmove(C.buf, C.buf + C.start, C.end - C.start);
        C.end -= C.start;
        C.start = 0;
        if (C.end == sizeof C.buf) {
            snprintf(why, whylen, "an answer header line longer than %zu bytes", sizeof C.buf);
            return -1;
        }
    }
    for (;;) {
        ssize_t n = recv(C.fd, C.buf + C.end, sizeof C.buf - C.end, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            snprintf(why, whylen, "the server closed the connection");
            return -1;
        }
        if (n < 0) {
            snprintf(why, whylen, "%s", errno == EAGAIN ? "no answer within 30 s" : strerror(errno));
            return -1;
        }
        C.end += n;
        return 0;
    }
}

/* one header line, without its CR LF */
static int read_line(char *line, size_t max, char *why, size_t whylen) {
    for (;;) {
        char *nl = memchr(C.buf + C.start, '\n', C.end - C.start);
        if (nl) {
            size_t len = nl - (C.buf + C.start);
            size_t keep = len;
            if (keep && C.buf[C.start + keep - 1] == '\r') keep--;
            if (keep >= max) keep = max - 1;
            memcpy(line, C.buf + C.start, keep);
            line[keep] = 0;
            C.start += len + 1;
            return 0;
        }
        if (fill(why, whylen) < 0) return -1;
    }
}

static int read_body(unsigned char *dst, uint64_t len, char *why, size_t whylen) {
    while (len) {
        if (C.start == C.end) {
            /* large bodies straight into the destination */
            ssize_t n = recv(C.fd, dst, len, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n == 0) {
                snprintf(why, whylen, "the server closed the connection in the middle of an answer");
                return -1;
            }
            if (n < 0) {
                snprintf(why, whylen, "%s", errno == EAGAIN ? "no data within 30 s" : strerror(errno));
                return -1;
            }
            dst += n;
            len -= n;
            continue;
        }
        size_t n = C.end - C.start;
        if (n > len) n = len;
        memcpy(dst, C.buf + C.start, n);
        C.start += n;
        dst += n;
        len -= n;
    }
    return 0;
}

/* the value of a header line NAME: VALUE, or NULL */
static const char *header(const char *line, const char *name) {
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) || line[n] != ':') return NULL;
    line += n + 1;
    while (*line == ' ' || *line == '\t') line++;
    return line;
}

/* GET bytes first..last into dst (NULL: only the answer's total, for the probe). */
static int http_range(uint64_t first, uint64_t last, unsigned char *dst, uint64_t *total,
                      char *why, size_t whylen) {
    char request[2048], line[1024];
    int attempt;
    for (attempt = 0; attempt < 2; attempt++) {
        int fresh = C.fd < 0, status = 0, minor = 1, close_after = 0, chunked = 0;
        long long length = -1;
        unsigned long long cr_first = 0, cr_last = 0, cr_total = 0;
        int have_range = 0, got_any = 0;
        if (fresh && conn_open(why, whylen) < 0) return HB_RETRY;
        int n = snprintf(request, sizeof request,
                         "GET %s HTTP/1.1\r\nHost: %s\r\nRange: bytes=%llu-%llu\r\n"
                         "User-Agent: anaconda-lean-httpblk\r\nAccept-Encoding: identity\r\n"
                         "Connection: keep-alive\r\n\r\n",
                         g_path, g_host, (unsigned long long)first, (unsigned long long)last);
        if (n >= (int)sizeof request) {
            snprintf(why, whylen, "the path is too long");
            return HB_FATAL;
        }
        if (send_all(C.fd, request, n) < 0) {
            snprintf(why, whylen, "sending the request: %s", strerror(errno));
            goto broken;
        }
        if (read_line(line, sizeof line, why, whylen) < 0) goto broken;
        got_any = 1;
        if (sscanf(line, "HTTP/1.%d %d", &minor, &status) != 2) {
            snprintf(why, whylen, "not an HTTP answer: %.80s", line);
            conn_close();
            return HB_RETRY;
        }
        if (minor == 0) close_after = 1;
        for (;;) {
            const char *v;
            if (read_line(line, sizeof line, why, whylen) < 0) goto broken;
            if (!line[0]) break;
            if ((v = header(line, "Content-Length"))) length = strtoll(v, NULL, 10);
            else if ((v = header(line, "Content-Range"))) {
                if (sscanf(v, "bytes %llu-%llu/%llu", &cr_first, &cr_last, &cr_total) == 3)
                    have_range = 1;
            } else if ((v = header(line, "Connection"))) {
                if (!strncasecmp(v, "close", 5)) close_after = 1;
                else if (!strncasecmp(v, "keep-alive", 10)) close_after = 0;
            } else if ((v = header(line, "Transfer-Encoding"))) {
                if (strncasecmp(v, "identity", 8)) chunked = 1;
            }
        }
        if (status == 200) {
            snprintf(why, whylen, "the server ignores Range (answered 200 with the whole file)");
            conn_close();
            return HB_NORANGE;
        }
        if (status == 416) {
            snprintf(why, whylen, "the server says bytes %llu-%llu are out of range (416)",
                     (unsigned long long)first, (unsigned long long)last);
            conn_close();
            return HB_FATAL;
        }
        if (status != 206) {
            snprintf(why, whylen, "the server answered %d", status);
            conn_close();
            return HB_RETRY;
        }
        if (chunked || !have_range) {
            snprintf(why, whylen, "a 206 answer without %s", chunked ? "a plain body (chunked)" : "Content-Range");
            conn_close();
            return HB_RETRY;
        }
        if (total) *total = cr_total;
        if (cr_first != first || (dst && cr_last != last) ||
            (length >= 0 && (unsigned long long)length != cr_last - cr_first + 1)) {
            snprintf(why, whylen, "asked for bytes %llu-%llu, got %llu-%llu/%llu (Content-Length %lld)",
                     (unsigned long long)first, (unsigned long long)last, cr_first, cr_last,
                     cr_total, length);
            conn_close();
            return HB_RETRY;
        }
        if (!dst) { /* the probe: read (and drop) its few bytes */
            unsigned char scratch[64];
            uint64_t left = cr_last - cr_first + 1;
            while (left) {
                uint64_t piece = left > sizeof scratch ? sizeof scratch : left;
                if (read_body(scratch, piece, why, whylen) < 0) goto broken;
                left -= piece;
            }
        } else if (read_body(dst, last - first + 1, why, whylen) < 0) {
            goto broken;
        }
        if (close_after) conn_close();
        else C.reused = 1;
        return HB_OK;
    broken:
        /* a kept-alive connection the server has closed meanwhile: once more at once */
        if (!fresh && C.reused && !got_any) {
            conn_close();
            continue;
        }
        conn_close();
        return HB_RETRY;
    }
    return HB_RETRY;
}

/* http_range, tried again with backoff for g_retry seconds: 0, or an errno for the kernel */
static int fetch(uint64_t first, uint64_t last, unsigned char *dst, uint64_t *total, int budget,
                 int *norange) {
    char why[512];
    double started = 0;
    int wait = 1, failures = 0;
    for (;;) {
        why[0] = 0;
        int r = http_range(first, last, dst, total, why, sizeof why);
        if (r == HB_OK) {
            if (failures)
                say("http://%s%s answers again (bytes %llu-%llu, after %d failed attempts, %.0f s)",
                    g_host, g_path, (unsigned long long)first, (unsigned long long)last, failures,
                    now() - started);
            return 0;
        }
        if (r == HB_NORANGE && norange) {
            *norange = 1;
            say("http://%s%s: %s", g_host, g_path, why);
            return EIO;
        }
        if (r == HB_FATAL) {
            say("reading bytes %llu-%llu of http://%s%s: %s: EIO", (unsigned long long)first,
                (unsigned long long)last, g_host, g_path, why);
            return EIO;
        }
        if (!failures) started = now();
        failures++;
        double left = budget - (now() - started);
        if (left <= 0) {
            say("reading bytes %llu-%llu of http://%s%s: %s; gave up after %d attempts in %.0f s: EIO",
                (unsigned long long)first, (unsigned long long)last, g_host, g_path, why, failures,
                now() - started);
            return EIO;
        }
        say("reading bytes %llu-%llu of http://%s%s failed: %s; trying again in %d s (for %.0f s more)",
            (unsigned long long)first, (unsigned long long)last, g_host, g_path, why, wait, left);
        sleep(wait);
        wait = wait * 2 > 15 ? 15 : wait * 2;
    }
}

/* the file's size, by a first request for its first byte (Content-Range's total) */
static int probe(int budget) {
    int norange = 0;
    uint64_t total = 0;
    if (fetch(0, 0, NULL, &total, budget, &norange)) return norange ? 3 : 1;
    if (!total) {
        say("http://%s%s is empty", g_host, g_path);
        return 1;
    }
    g_size = total;
    return 0;
}

/* len bytes at off as the device reads them: the file, then zeros to the block boundary */
static int device_read(uint64_t off, uint32_t len, unsigned char *dst) {
    if (off >= g_size) {
        memset(dst, 0, len);
        return 0;
    }
    uint64_t end = off + len; /* exclusive */
    if (end > g_size) {
        memset(dst + (g_size - off), 0, end - g_size);
        end = g_size;
    }
    if (!len) return 0;
    return fetch(off, end - 1, dst, NULL, g_retry, NULL);
}

/* ------------------------------------------------------------------ NBD server */

struct nbd_request {
    uint32_t magic;
    uint32_t type;
    char handle[8];
    uint64_t from;
    uint32_t len;
} __attribute__((packed));

struct nbd_reply {
    uint32_t magic;
    uint32_t error;
    char handle[8];
} __attribute__((packed));

static int read_full(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= n;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= n;
    }
    return 0;
}

static int serve(int sock) {
    for (;;) {
        struct nbd_request rq;
        struct nbd_reply rp = {.magic = htonl(NBD_REPLY_MAGIC)};
        if (read_full(sock, &rq, sizeof rq) < 0) return 0; /* the device went away */
        if (ntohl(rq.magic) != NBD_REQUEST_MAGIC) {
            say("a request with a bad magic number from the kernel: stopping");
            return 1;
        }
        uint32_t type = ntohl(rq.type) & 0xffff, len = ntohl(rq.len);
        uint64_t from = be64toh(rq.from);
        memcpy(rp.handle, rq.handle, sizeof rp.handle);
        switch (type) {
        case NBD_CMD_READ: {
            unsigned char *buf = malloc(len ? len : 1);
            int err = buf ? device_read(from, len, buf) : ENOMEM;
            rp.error = htonl(err);
            if (write_full(sock, &rp, sizeof rp) < 0 || (!err && write_full(sock, buf, len) < 0)) {
                free(buf);
                return 0;
            }
            free(buf);
            break;
        }
        case NBD_CMD_WRITE: { /* a read-only device: the data is read and refused */
            char scratch[4096];
            while (len) {
                uint32_t piece = len > sizeof scratch ? sizeof scratch : len;
                if (read_full(sock, scratch, piece) < 0) return 0;
                len -= piece;
            }
            rp.error = htonl(EPERM);
            if (write_full(sock, &rp, sizeof rp) < 0) return 0;
            break;
        }
        case NBD_CMD_DISC:
            return 0;
        case NBD_CMD_FLUSH:
            if (write_full(sock, &rp, sizeof rp) < 0) return 0;
            break;
        default:
            rp.error = htonl(EINVAL);
            if (write_full(sock, &rp, sizeof rp) < 0) return 0;
        }
    }
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    if (write(fd, text, strlen(text)) < 0) { }
    close(fd);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int attach(const char *device) {
    int sv[2], nbd, rc;
    char sys[256];
    if ((rc = probe(30))) {
        if (rc == 3) say("http://%s%s: no range requests: not usable on demand", g_host, g_path);
        return rc;
    }
    uint64_t device_size = (g_size + BLOCK - 1) / BLOCK * BLOCK;
    nbd = open(device, O_RDWR | O_CLOEXEC);
    if (nbd < 0) {
        say("cannot open %s: %s (is the nbd module loaded?)", device, strerror(errno));
        return 1;
    }
    ioctl(nbd, NBD_CLEAR_SOCK);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        say("socketpair: %s", strerror(errno));
        return 1;
    }
    if (ioctl(nbd, NBD_SET_BLKSIZE, (unsigned long)BLOCK) < 0 ||
        ioctl(nbd, NBD_SET_SIZE, (unsigned long)device_size) < 0 ||
        ioctl(nbd, NBD_SET_FLAGS, (unsigned long)(NBD_FLAG_HAS_FLAGS | NBD_FLAG_READ_ONLY)) < 0 ||
        ioctl(nbd, NBD_SET_SOCK, (unsigned long)sv[0]) < 0) {
        say("setting up %s: %s (in use already?)", device, strerror(errno));
        return 1;
    }
    snprintf(sys, sizeof sys, "/sys/block/%s/queue/max_sectors_kb", base_name(device));
    write_file(sys, MAX_REQUEST_KB);
    write_file("/proc/self/oom_score_adj", "-1000");
    signal(SIGPIPE, SIG_IGN);
    /* neither may be stopped by a signal meant for the installer: an interrupted
     * NBD_DO_IT takes the device (and stage2) down; SIGKILL still ends them */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);

    if (g_logpath) /* the messages from now on: the failures the installer should see */
        g_logfd = open(g_logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
    pid_t server = fork();
    if (server < 0) {
        say("fork: %s", strerror(errno));
        return 1;
    }
    if (server == 0) {
        close(sv[0]);
        close(nbd);
        setsid();
        if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
            say("mlockall: %s (the server may be swapped out)", strerror(errno));
        int fd = open("/", O_RDONLY | O_DIRECTORY); /* no cwd in the initramfs to hold */
        if (fd >= 0) { if (fchdir(fd) < 0) { } close(fd); }
        _exit(serve(sv[1]));
    }
    pid_t doit = fork();
    if (doit < 0) {
        say("fork: %s", strerror(errno));
        kill(server, SIGKILL);
        return 1;
    }
    if (doit == 0) {
        close(sv[1]);
        setsid();
        if (chdir("/") < 0) { }
        int err = ioctl(nbd, NBD_DO_IT) < 0 ? errno : 0;
        ioctl(nbd, NBD_CLEAR_QUE);
        ioctl(nbd, NBD_CLEAR_SOCK);
        if (err && err != EPIPE) say("%s: NBD_DO_IT ended: %s", device, strerror(err));
        _exit(0);
    }
    close(sv[0]);
    close(sv[1]);
    /* ready once the kernel has started the device (its pid file appears) */
    snprintf(sys, sizeof sys, "/sys/block/%s/pid", base_name(device));
    for (int i = 0; i < 200; i++) {
        struct stat st;
        int status;
        if (stat(sys, &st) == 0) {
            printf("%s: %llu bytes from http://%s%s (server process %d)\n", device,
                   (unsigned long long)g_size, g_host, g_path, (int)server);
            return 0;
        }
        if (waitpid(doit, &status, WNOHANG) == doit || waitpid(server, &status, WNOHANG) == server) {
            say("%s: the device did not start", device);
            kill(server, SIGKILL);
            kill(doit, SIGKILL);
            return 1;
        }
        usleep(50000);
    }
    say("%s: not started after 10 s", device);
    return 1;
}

static int disconnect(const char *device) {
    int nbd = open(device, O_RDWR | O_CLOEXEC);
    if (nbd < 0 || ioctl(nbd, NBD_DISCONNECT) < 0) {
        say("disconnecting %s: %s", device, strerror(errno));
        return 1;
    }
    ioctl(nbd, NBD_CLEAR_SOCK);
    close(nbd);
    return 0;
}

/* --read OFF:LEN[,OFF:LEN...]: the bytes on stdout, for tests without the kernel */
static int read_pieces(const char *spec) {
    int rc = probe(g_retry);
    if (rc) return rc;
    char *copy = strdup(spec), *save = NULL;
    for (char *piece = strtok_r(copy, ",", &save); piece; piece = strtok_r(NULL, ",", &save)) {
        unsigned long long off, len;
        if (sscanf(piece, "%llu:%llu", &off, &len) != 2 || len > (1u << 30)) {
            say("--read %s: expected OFFSET:LENGTH", piece);
            return 2;
        }
        unsigned char *buf = malloc(len ? len : 1);
        if (!buf || device_read(off, len, buf) || write_full(1, buf, len) < 0) return 1;
        free(buf);
    }
    free(copy);
    return 0;
}

static int usage(void) {
    fprintf(stderr,
            "usage: httpblk [--retry SECONDS] [--log FILE] DEVICE ADDRESS PORT PATH HOST\n"
            "       httpblk [--retry SECONDS] --size ADDRESS PORT PATH HOST\n"
            "       httpblk [--retry SECONDS] --read OFF:LEN[,OFF:LEN...] ADDRESS PORT PATH HOST\n"
            "       httpblk --disconnect DEVICE\n"
            "       httpblk [--retry SECONDS] --serve-fd FD ADDRESS PORT PATH HOST\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *read_spec = NULL, *device = NULL;
    int size_only = 0, serve_fd = -1, i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--retry") && i + 1 < argc) g_retry = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--log") && i + 1 < argc) g_logpath = argv[++i];
        else if (!strcmp(argv[i], "--size")) size_only = 1;
        else if (!strcmp(argv[i], "--read") && i + 1 < argc) read_spec = argv[++i];
        else if (!strcmp(argv[i], "--serve-fd") && i + 1 < argc) serve_fd = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--disconnect") && i + 1 < argc) return disconnect(argv[i + 1]);
        else return usage();
    }
    if (!size_only && !read_spec && serve_fd < 0) {
        if (i >= argc) return usage();
        device = argv[i++];
    }
    if (argc - i != 4) return usage();
    g_address = argv[i];
    g_port = atoi(argv[i + 1]);
    g_path = argv[i + 2];
    g_host = argv[i + 3];
    if (g_port <= 0 || g_port > 65535 || g_path[0] != '/') return usage();
    signal(SIGPIPE, SIG_IGN);
    if (size_only) {
        int rc = probe(g_retry);
        if (!rc) printf("%llu\n", (unsigned long long)g_size);
        return rc;
    }
    if (read_spec) return read_pieces(read_spec);
    if (serve_fd >= 0) {
        int rc = probe(g_retry);
        return rc ? rc : serve(serve_fd);
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    return attach(device);
}
