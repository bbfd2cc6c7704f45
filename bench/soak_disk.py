"""The soak's disk (bench/soak.py): an ext4 file system of its own for the
service's state folder, in a sparse image file on a loop device, that
fill() makes full (a filler file takes every free block; fallocate, so it
costs no writing) and empty() frees again. Used from the soak's
controlling thread; needs root (mount)."""
import os
import subprocess


class Disk:
    def __init__(self, work, size_gb):
        self.image = os.path.join(work, "disk.img")
        self.mnt = os.path.join(work, "disk")
        self.filler = os.path.join(self.mnt, "filler")
        os.makedirs(self.mnt, exist_ok=True)
        with open(self.image, "wb") as f:
            f.truncate(size_gb << 30)
        # No root reserve: the service runs as root here and would write into it.
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1",
                        self.image], check=True)
        subprocess.run(["mount", "-o", "loop", self.image, self.mnt], check=True)
        self.mounted = True

    def free_bytes(self):
        st = os.statvfs(self.mnt)
        return st.f_bavail * st.f_frsize

    def fill(self):
        """Takes every free block; returns the free bytes left (a few kB at most)."""
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            size = self.free_bytes()
            while size > 0:
                try:
                    os.posix_fallocate(fd, 0, size)
                    break
                except OSError:
                    size -= 1 << 20   # the file's own metadata needs a little
            # Whatever is left, in small steps.
            step = 1 << 16
            while step >= 4096:
                try:
                    os.posix_fallocate(fd, 0, os.fstat(fd).st_size + step)
                except OSError:
                    step //= 2
        finally:
            os.close(fd)
        return self.free_bytes()

    def empty(self):
        os.remove(self.filler)

    def close(self):
        if self.mounted:
            subprocess.run(["umount", self.mnt])
            self.mounted = False
        try:
            os.remove(self.image)
        except OSError:
            pass
