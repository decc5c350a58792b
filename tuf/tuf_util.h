/*
 * Small helpers every part of the TUF library shares: result codes, error
 * messages in a caller buffer, a growable byte buffer with a hard limit, and
 * hex encoding.  Pure code: no globals, no exit(), nothing logged.
 */
#ifndef LOCKPROBE_TUF_UTIL_H
#define LOCKPROBE_TUF_UTIL_H

#include <stddef.h>

/*
 * Result codes.  Every function that can fail returns one of these and, on
 * failure, writes a one-line reason to (err, errlen) when err is not NULL.
 */
#define TUF_OK		0
#define TUF_ERR		(-1)	/* malformed input, limit exceeded, internal */
#define TUF_UNSUPPORTED	(-2)	/* well-formed, but a key type or scheme we
				   do not implement: ignore it for thresholds */
#define TUF_BADSIG	(-3)	/* well-formed signature that does not verify */
#define TUF_NOTFOUND	(-4)	/* no such file, role or target */

/* Write a message to err (truncated to errlen, always terminated). */
void	tuf_seterr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Prepend context to the message already in err: "CONTEXT: old message". */
void	tuf_preferr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* A growable buffer that refuses to grow past max bytes. */
struct tuf_buf {
	unsigned char	*data;	/* NUL-terminated after len (not counted) */
	size_t		 len;
	size_t		 cap;
	size_t		 max;
};

void	tuf_buf_init(struct tuf_buf *buf, size_t max);
void	tuf_buf_reset(struct tuf_buf *buf);	/* len = 0, keeps memory */
void	tuf_buf_free(struct tuf_buf *buf);
int	tuf_buf_append(struct tuf_buf *buf, const void *data, size_t len,
	    char *err, size_t errlen);

/*
 * Hex.  tuf_hex_encode writes 2 * len lower-case digits and a NUL to out
 * (which holds 2 * len + 1 bytes).  tuf_hex_decode accepts upper or lower
 * case, needs an even number of digits, and fails if the result would not fit
 * in outmax bytes; *outlen receives the decoded length.
 */
void	tuf_hex_encode(const unsigned char *in, size_t len, char *out);
int	tuf_hex_decode(const char *hex, size_t hexlen, unsigned char *out,
	    size_t outmax, size_t *outlen, char *err, size_t errlen);

/*
 * Copy untrusted text into dst for an error message: printable ASCII as is,
 * every other byte as \xNN, cut to dstlen with "..." when too long.
 * Returns dst.
 */
char	*tuf_strvis(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
