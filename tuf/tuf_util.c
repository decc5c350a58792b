#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tuf_util.h"

void
tuf_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
tuf_preferr(char *err, size_t errlen, const char *fmt, ...)
{
	char	prefix[256];
	size_t	plen, olen;
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	if (plen + 2 >= errlen) {
		snprintf(err, errlen, "%s", prefix);
		return;
	}
	/* Move the old message right, then put "prefix: " in front. */
	olen = strnlen(err, errlen - 1);
	if (olen > errlen - 1 - plen - 2)
		olen = errlen - 1 - plen - 2;
	memmove(err + plen + 2, err, olen);
	err[plen + 2 + olen] = '\0';
	memcpy(err, prefix, plen);
	err[plen] = ':';
	err[plen + 1] = ' ';
}

void
tuf_buf_init(struct tuf_buf *buf, size_t max)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->max = max;
}

void
tuf_buf_reset(struct tuf_buf *buf)
{
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

void
tuf_buf_free(struct tuf_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

int
tuf_buf_append(struct tuf_buf *buf, const void *data, size_t len,
    char *err, size_t errlen)
{
	unsigned char	*p;
	size_t		 need, ncap;

	if (len > buf->max || buf->len > buf->max - len) {
		tuf_seterr(err, errlen, "output exceeds the limit of %zu bytes",
		    buf->max);
		return TUF_ERR;
	}
	need = buf->len + len + 1;	/* room for the terminating NUL */
	if (need > buf->cap) {
		ncap = buf->cap ? buf->cap : 256;
		while (ncap < need) {
			if (ncap > SIZE_MAX / 2) {
				ncap = need;
				break;
			}
			ncap *= 2;
		}
		if (ncap > buf->max + 1)
			ncap = buf->max + 1;
		if ((p = realloc(buf->data, ncap)) == NULL) {
			tuf_seterr(err, errlen, "out of memory");
			return TUF_ERR;
		}
		buf->data = p;
		buf->cap = ncap;
	}
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return TUF_OK;
}

void
tuf_hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
tuf_hex_decode(const char *hex, size_t hexlen, unsigned char *out,
    size_t outmax, size_t *outlen, char *err, size_t errlen)
{
	size_t	i;
	int	hi, lo;

	if (hexlen % 2 != 0) {
		tuf_seterr(err, errlen, "odd number of hex digits (%zu)",
		    hexlen);
		return TUF_ERR;
	}
	if (hexlen / 2 > outmax) {
		tuf_seterr(err, errlen, "hex string too long: %zu bytes, "
		    "at most %zu expected", hexlen / 2, outmax);
		return TUF_ERR;
	}
	for (i = 0; i < hexlen; i += 2) {
		hi = hexval((unsigned char)hex[i]);
		lo = hexval((unsigned char)hex[i + 1]);
		if (hi < 0 || lo < 0) {
			tuf_seterr(err, errlen, "invalid hex digit at "
			    "offset %zu", hi < 0 ? i : i + 1);
			return TUF_ERR;
		}
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*outlen = hexlen / 2;
	return TUF_OK;
}

char *
tuf_strvis(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i, o = 0;
	unsigned char		c;

	if (dstlen == 0)
		return dst;
	for (i = 0; i < srclen; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 + 3 >= dstlen)
				goto cut;
			dst[o++] = (char)c;
		} else {
			if (o + 4 + 3 >= dstlen)
				goto cut;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = digits[c >> 4];
			dst[o++] = digits[c & 0xf];
		}
	}
	dst[o] = '\0';
	return dst;
 cut:
	if (dstlen >= 4) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o < dstlen ? o : dstlen - 1] = '\0';
	return dst;
}
