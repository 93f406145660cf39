/* See fmt.h. */
#include "common/fmt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *buf;
	size_t len, n;   /* n: what snprintf would count */
};

static void put(struct out *o, const char *s, size_t k)
{
	if (o->n < o->len) {
		size_t room = o->len - 1 - o->n;
		memcpy(o->buf + o->n, s, k < room ? k : room);
	}
	o->n += k;
}

static void put_u(struct out *o, unsigned long long u, int neg)
{
	char tmp[24];
	size_t k = sizeof(tmp);
	do
		tmp[--k] = (char)('0' + u % 10);
	while (u /= 10);
	if (neg)
		tmp[--k] = '-';
	put(o, tmp + k, sizeof(tmp) - k);
}

static void put_i(struct out *o, long long v)
{
	put_u(o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0);
}

/* The whole format understood here: 1, else 0 (vsnprintf makes it). */
static int simple(const char *f)
{
	for (; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == '.') {
			const char *d = ++f;
			while (*f >= '0' && *f <= '9')
				f++;
			if (f == d || f - d > 3 || (*f != 'f' && *f != 'g' && *f != 'e'))
				return 0;
			continue;
		}
		if (*f == 'l')
			f += f[1] == 'l' ? 2 : 1;
		else if (*f == 'z')
			f++;
		if (!*f || !strchr("sdiucfge%", *f))
			return 0;
		if ((*f == 's' || *f == 'c' || *f == '%') && (f[-1] == 'l' || f[-1] == 'z'))
			return 0;
	}
	return 1;
}

int anvil_vfmt(char *buf, size_t len, const char *fmt, va_list ap)
{
	if (!simple(fmt))
		return vsnprintf(buf, len, fmt, ap);
	struct out o = { buf, len, 0 };
	const char *run = fmt;
	for (const char *f = fmt; *f; f++) {
		if (*f != '%')
			continue;
		put(&o, run, (size_t)(f - run));
		char spec[16] = "%";
		size_t sl = 1;
		int l = 0, z = 0;
		f++;
		if (*f == '.') {
			while (*f == '.' || (*f >= '0' && *f <= '9'))
				spec[sl++] = *f++;
		}
		if (*f == 'l') {
			l = f[1] == 'l' ? 2 : 1;
			f += l;
		} else if (*f == 'z') {
			z = 1;
			f++;
		}
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			put(&o, s ? s : "(null)", strlen(s ? s : "(null)"));
			break;
		}
		case 'c': {
			char ch = (char)va_arg(ap, int);
			put(&o, &ch, 1);
			break;
		}
		case '%':
			put(&o, "%", 1);
			break;
		case 'd':
		case 'i':
			put_i(&o, z ? (long long)va_arg(ap, ptrdiff_t) : l == 2 ? va_arg(ap, long long) : l ? va_arg(ap, long) : va_arg(ap, int));
			break;
		case 'u':
			put_u(&o, z ? va_arg(ap, size_t) : l == 2 ? va_arg(ap, unsigned long long) : l ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 0);
			break;
		default: {  /* f, g, e */
			spec[sl++] = *f;
			spec[sl] = '\0';
			double d = va_arg(ap, double);
			char num[512], *p = num;
			int k = strfromd(num, sizeof(num), spec, d);
			if (k >= (int)sizeof(num) && (p = malloc((size_t)k + 1)))  /* %.3f of 1e300 */
				strfromd(p, (size_t)k + 1, spec, d);
			if (k > 0 && p)
				put(&o, p, (size_t)k);
			if (p != num)
				free(p);
			break;
		}
		}
		run = f + 1;
	}
	put(&o, run, strlen(run));
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return (int)o.n;
}

int anvil_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = anvil_vfmt(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
