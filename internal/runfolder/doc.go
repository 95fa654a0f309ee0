// Package runfolder is the run folder on disk: its files' names, making a
// new folder (never over someone's files), the lock that keeps two
// processes out of one folder, the log file that survives a torn last
// line, and atomic JSON writes. It knows nothing of training.
package runfolder
