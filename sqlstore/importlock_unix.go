//go:build unix

package sqlstore

import (
	"errors"
	"os"
	"syscall"
)

// importLock is held by a large import on SQLite for as long as it runs
// (see ImportWriter.DeferIndexes): an advisory lock on a file beside the
// database, which the system releases when the process ends, however it
// ends. Open repairs what a dead import left (dropped indexes, short
// counts) only when it can take the lock itself; otherwise the import is
// alive and repairs them at its end, and doing it under it would count its
// kept counts twice.
type importLock struct{ f *os.File }

// lockImport takes the lock without waiting; ok is false when another
// open file holds it, in this process or another.
func lockImport(dbPath string) (l *importLock, ok bool, err error) {
	f, err := os.OpenFile(dbPath+"-import.lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return &importLock{f}, true, nil
}

// release lets go of the lock; closing the file does it.
func (l *importLock) release() {
	if l != nil {
		l.f.Close()
	}
}
