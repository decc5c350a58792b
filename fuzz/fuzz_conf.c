/*
 * lockprobe.conf(5): conf_parse_buffer on any bytes, with a roomy and a tiny
 * error buffer; an accepted file is printed, parsed again, and must give the
 * same normalised text (what "lockprobed -nv" promises).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

static char *
print_conf(const struct lp_conf *conf, size_t *lenp)
{
	char *text = NULL;
	FILE *fp;

	if ((fp = open_memstream(&text, lenp)) == NULL)
		fuzz_fail("open_memstream");
	conf_print(fp, conf);
	if (fclose(fp) != 0)
		fuzz_fail("fclose");
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lp_conf conf, again;
	char err[4096], tiny[7];
	char *text1, *text2;
	size_t len1, len2;
	int rv;

	if (size > CONF_MAX_FILE_SIZE)
		return 0;	/* conf_parse_file refuses these unread */
	rv = conf_parse_buffer("fuzz.conf", (const char *)data, size, &conf,
	    err, sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		fuzz_fail("error text not terminated");
	if (rv == -1 && err[0] == '\0')
		fuzz_fail("refused without an error message");
	if (rv == 0 && err[0] != '\0')
		fuzz_fail("accepted with an error: %s", err);
	if (conf_parse_buffer("fuzz.conf", (const char *)data, size, &again,
	    tiny, sizeof(tiny)) != rv)
		fuzz_fail("verdict depends on the error buffer size");
	if (memchr(tiny, '\0', sizeof(tiny)) == NULL)
		fuzz_fail("tiny error text not terminated");
	(void)conf_parse_buffer("fuzz.conf", (const char *)data, size, &again,
	    NULL, 0);
	if (rv == -1)
		return 0;

	text1 = print_conf(&conf, &len1);
	if (conf_parse_buffer("printed.conf", text1, len1, &again, err,
	    sizeof(err)) == -1)
		fuzz_fail("printed configuration does not parse:\n%s\n%s",
		    text1, err);
	text2 = print_conf(&again, &len2);
	if (len1 != len2 || memcmp(text1, text2, len1) != 0)
		fuzz_fail("printed configuration changes when parsed again:"
		    "\n%s---\n%s", text1, text2);
	free(text1);
	free(text2);
	return 0;
}
