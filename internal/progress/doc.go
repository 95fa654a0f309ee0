// Package progress shows a long job's progress to a person: training
// steps and feature extraction, one line redrawn in place on a terminal
// or plain lines in a log.
package progress
