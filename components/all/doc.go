// Package all links every component package into a binary. Importing it
// (for its side effects) registers every component sslrun ships; a new
// component in an existing package needs no change here.
package all
