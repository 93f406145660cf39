#include "bench/pairs.h"

int anvil_pairs_rounds(int n)
{
	if (n < 2)
		return 0;
	return n % 2 ? n : n - 1;
}

/* Seat k of round r in the circle of m (even) seats: seat 0 stays, the rest rotate. */
static int seat(int m, int r, int k)
{
	return k == 0 ? 0 : (k - 1 + r) % (m - 1) + 1;
}

int anvil_pairs_round(int n, int r, int (*pairs)[2])
{
	int m = n % 2 ? n + 1 : n;   /* an odd n gets a dummy node m-1: its partner has the bye */
	int count = 0;
	if (n < 2 || r < 0 || r >= anvil_pairs_rounds(n))
		return 0;
	for (int i = 0; i < m / 2; i++) {
		int a = seat(m, r, i), b = seat(m, r, m - 1 - i);
		if (a >= n || b >= n)
			continue;
		pairs[count][0] = a < b ? a : b;
		pairs[count][1] = a < b ? b : a;
		count++;
	}
	return count;
}

int anvil_pairs_partner(int n, int r, int node)
{
	int m = n % 2 ? n + 1 : n;
	/* node n of an odd n is the dummy seat: not a node, no partner */
	if (n < 2 || r < 0 || r >= anvil_pairs_rounds(n) || node < 0 || node >= n)
		return -1;
	for (int i = 0; i < m / 2; i++) {
		int a = seat(m, r, i), b = seat(m, r, m - 1 - i);
		if (a == node)
			return b < n ? b : -1;
		if (b == node)
			return a < n ? a : -1;
	}
	return -1;
}
