/* The round-robin (circle) schedule of node pairs: all n(n-1)/2 pairs in
 * n-1 rounds of disjoint pairs (n rounds with one bye each when n is odd). */
#ifndef ANVIL_PAIRS_H
#define ANVIL_PAIRS_H

int anvil_pairs_rounds(int n);
/* Fills pairs[] (each {a, b}, a < b) for round r; returns how many. */
int anvil_pairs_round(int n, int r, int (*pairs)[2]);
/* This node's partner in round r, or -1 (a bye). */
int anvil_pairs_partner(int n, int r, int node);

#endif
