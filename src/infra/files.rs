//! Generated files kept for later downloads (certificate PDFs), behind one
//! trait so an uploads adapter (S3 and the like) can take the place of the
//! disk. Today there is one adapter, [`DiskFiles`], under `DATA_DIR`; in a
//! scaled deployment each instance keeps its own copies, and what a file holds
//! can always be made again from the database (certificates are rendered
//! again on a miss), so no instance depends on another's disk.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Where a file lives in a store: `/`-separated segments of letters, digits,
/// `.`, `-` and `_` (no empty, `.` or `..` segment), so a key can never point
/// outside the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileKey(String);

impl FileKey {
    pub fn new(key: impl Into<String>) -> anyhow::Result<FileKey> {
        let key = key.into();
        let segment_ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.len() <= 128
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        };
        if key.len() > 512 || !key.split('/').all(segment_ok) {
            anyhow::bail!("{key:?} is not a valid file key");
        }
        Ok(FileKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[async_trait::async_trait]
pub trait FileStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing any earlier file; a reader sees the
    /// old file or the new one, never part of one.
    async fn put(&self, key: &FileKey, bytes: &[u8]) -> anyhow::Result<()>;
    /// The file under `key`, or None when there is none.
    async fn get(&self, key: &FileKey) -> anyhow::Result<Option<Vec<u8>>>;
    /// Whether a file is stored under `key`.
    async fn exists(&self, key: &FileKey) -> anyhow::Result<bool>;
}

/// Files under a directory (`DATA_DIR`), readable by the server's user only.
pub struct DiskFiles {
    root: PathBuf,
}

impl DiskFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DiskFiles { root: root.into() }
    }

    fn path(&self, key: &FileKey) -> PathBuf {
        key.as_str().split('/').fold(self.root.clone(), |path, segment| path.join(segment))
    }
}

#[async_trait::async_trait]
impl FileStore for DiskFiles {
    async fn put(&self, key: &FileKey, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(key);
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes)).await.context("The file writer stopped")?
    }

    async fn get(&self, key: &FileKey) -> anyhow::Result<Option<Vec<u8>>> {
        let path = self.path(key);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(anyhow::Error::new(err).context(format!("Failed to read {}", path.display()))),
        }
    }

    async fn exists(&self, key: &FileKey) -> anyhow::Result<bool> {
        let path = self.path(key);
        tokio::fs::try_exists(&path).await.with_context(|| format!("Failed to look for {}", path.display()))
    }
}

/// Writes a temporary file beside `path` (mode 0600), then renames it into place.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().context("A stored file has a directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        uuid::Uuid::now_v7().simple()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if let Err(err) = renamed {
        let _ = std::fs::remove_file(&temporary);
        return Err(anyhow::Error::new(err).context(format!("Failed to store {}", path.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(FileKey::new("certificates/0190-ab.pdf").is_ok());
        for bad in ["", "/etc/passwd", "a//b", "../x", "a/../b", "a/./b", "a\\b", "a/b\0", "é.pdf", "a/"] {
            assert!(FileKey::new(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn files_are_replaced_whole_and_private() {
        let dir = std::env::temp_dir().join(format!("lectern-files-{}", uuid::Uuid::now_v7()));
        let store = DiskFiles::new(&dir);
        let key = FileKey::new("certificates/one.pdf").unwrap();
        assert!(!store.exists(&key).await.unwrap());
        assert_eq!(store.get(&key).await.unwrap(), None);
        store.put(&key, b"first").await.unwrap();
        store.put(&key, b"second").await.unwrap();
        assert!(store.exists(&key).await.unwrap());
        assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(&b"second"[..]));
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("certificates")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("certificates/one.pdf")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
