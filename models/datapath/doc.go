// Package datapath holds the vocabulary of a CNI datapath: the canonical
// stage kinds, component graphs (the ordered stages a packet crosses and the
// context that runs each), encapsulation overheads and MTU/MSS arithmetic.
package datapath
