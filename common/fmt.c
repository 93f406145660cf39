/* See fmt.h. */
#include "common/fmt.h"
#include <math.h>
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

/* u's decimal digits, at least min of them (zeros before) */
static int digits(char *out, unsigned long long u, int min)
{
	char tmp[24];
	int k = 0;
	do
		tmp[k++] = (char)('0' + u % 10);
	while ((u /= 10) || k < min);
	for (int i = 0; i < k; i++)
		out[i] = tmp[k - 1 - i];
	return k;
}

int anvil_fmt_uint(char *out, unsigned long long u)
{
	return digits(out, u, 1);
}

static void put_u(struct out *o, unsigned long long u, int neg)
{
	char tmp[24];
	int k = 0;
	if (neg)
		tmp[k++] = '-';
	k += digits(tmp + k, u, 1);
	put(o, tmp, (size_t)k);
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

/* ---- %.Pf and %.Pg of ordinary numbers, without strfromd ----------------------
 * strfromd expands the exact binary value (thousands of instructions a
 * number; a check's sentence has three or four). Here the number scaled to
 * the digits kept is rounded to an integer: the scaling's error is below
 * 2^-20 of a unit while the scaled value is below 2^33, so wherever the
 * value is further than 2^-18 from halfway between two integers the
 * rounding is the one the exact value gets. Everything else (halfway
 * cases, large or tiny exponents, more digits) goes to strfromd. */
#define FAST_MAX 8589934592.0   /* 2^33 */
#define FAST_MARGIN 3.814697265625e-06   /* 2^-18 */

const double anvil_pow10[ANVIL_POW10_EXACT + 1] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
						    1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
						    1e21, 1e22 };

/* x (>= 0) times 10^k, one rounding (k in [-22, 22]) */
static double scale10(double x, int k)
{
	return k >= 0 ? x * anvil_pow10[k] : x / anvil_pow10[-k];
}

/* x rounded to an integer, or -1 where the rounding is not certain */
static double round_sure(double x)
{
	if (!(x < FAST_MAX))
		return -1;
	double t = floor(x), frac = x - t;
	if (fabs(frac - 0.5) <= FAST_MARGIN)
		return -1;
	return frac > 0.5 ? t + 1 : t;
}

/* %.<prec>f of d, or -1 */
static int fast_f(char *out, double d, int prec)
{
	if (!isfinite(d) || prec > 9)
		return -1;
	double r = round_sure(scale10(fabs(d), prec));
	if (r < 0)
		return -1;
	unsigned long long u = (unsigned long long)r, p10 = (unsigned long long)anvil_pow10[prec];
	int n = 0;
	if (signbit(d))
		out[n++] = '-';
	n += digits(out + n, u / p10, 1);
	if (prec) {
		out[n++] = '.';
		n += digits(out + n, u % p10, prec);
	}
	return n;
}

/* %.<prec>g of d, or -1 */
static int fast_g(char *out, double d, int prec)
{
	if (!isfinite(d) || prec > 9)
		return -1;
	if (prec == 0)
		prec = 1;
	double a = fabs(d);
	if (a == 0 || a < 1e-12 || a >= 1e15)
		return -1;
	int e = (int)floor(log10(a)), tries = 0;
	double r;
	unsigned long long lo = (unsigned long long)anvil_pow10[prec - 1], hi = lo * 10;
	for (;;) {  /* e: the exponent of the first digit kept, once the rounding is known */
		if (prec - 1 - e > ANVIL_POW10_EXACT || prec - 1 - e < -ANVIL_POW10_EXACT || ++tries > 3)
			return -1;
		r = round_sure(scale10(a, prec - 1 - e));
		if (r < 0)
			return -1;
		if (r >= (double)hi) {
			if (r == (double)hi && scale10(a, prec - 1 - e) < (double)hi) {  /* 9.9996 -> 10.00 */
				r = (double)lo;
				e++;
				break;
			}
			e++;
		} else if (r < (double)lo) {
			e--;
		} else {
			break;
		}
	}
	unsigned long long u = (unsigned long long)r;
	char dig[24];
	int nd = digits(dig, u, prec);
	while (nd > 1 && dig[nd - 1] == '0')  /* %g drops trailing zeros */
		nd--;
	int n = 0;
	if (signbit(d))
		out[n++] = '-';
	if (e < -4 || e >= prec) {  /* d.ddde+XX */
		out[n++] = dig[0];
		if (nd > 1) {
			out[n++] = '.';
			memcpy(out + n, dig + 1, (size_t)(nd - 1));
			n += nd - 1;
		}
		out[n++] = 'e';
		out[n++] = e < 0 ? '-' : '+';
		n += digits(out + n, (unsigned long long)(e < 0 ? -e : e), 2);
	} else if (e >= 0) {  /* ddd.ddd */
		int whole = e + 1;
		for (int i = 0; i < whole; i++)
			out[n++] = i < nd ? dig[i] : '0';
		if (nd > whole) {
			out[n++] = '.';
			memcpy(out + n, dig + whole, (size_t)(nd - whole));
			n += nd - whole;
		}
	} else {  /* 0.000ddd */
		out[n++] = '0';
		out[n++] = '.';
		for (int i = 0; i < -e - 1; i++)
			out[n++] = '0';
		memcpy(out + n, dig, (size_t)nd);
		n += nd;
	}
	return n;
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
			int prec = sl > 2 ? atoi(spec + 2) : 6, k = -1;  /* spec: "%.P" then the letter */
			if (*f == 'f')
				k = fast_f(num, d, prec);
			else if (*f == 'g')
				k = fast_g(num, d, prec);
			if (k >= 0) {
				put(&o, num, (size_t)k);
				run = f + 1;
				continue;
			}
			k = strfromd(num, sizeof(num), spec, d);
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
