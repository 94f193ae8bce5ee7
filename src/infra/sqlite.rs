//! SQLite's process-wide settings, for the embedded mode: its own
//! allocations on the process allocator (mimalloc), without the global
//! memory statistics it keeps by default.
//!
//! SQLite allocates through glibc's `malloc` unless told otherwise, and by
//! default counts every allocation under one global mutex. Under the post
//! page's load that was about 7.5 % of the embedded server's CPU in glibc
//! (`malloc_consolidate` alone 1.9 %), beside the mimalloc that serves the
//! rest of the process (BENCHMARKS.md, "SQLite on the process allocator").
//!
//! Both settings are `sqlite3_config` calls, which SQLite accepts only
//! before its first connection in the process opens; [`configure`] runs them
//! once, before the pool connects, and is a no-op afterwards.

use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

use libsqlite3_sys as ffi;

unsafe extern "C" fn x_malloc(size: c_int) -> *mut c_void {
    // SQLite never asks for a negative size; a zero-size request gets a
    // valid unique pointer from mimalloc, as from malloc.
    unsafe { libmimalloc_sys::mi_malloc(size.max(0) as usize) }
}

unsafe extern "C" fn x_free(ptr: *mut c_void) {
    unsafe { libmimalloc_sys::mi_free(ptr) }
}

unsafe extern "C" fn x_realloc(ptr: *mut c_void, size: c_int) -> *mut c_void {
    unsafe { libmimalloc_sys::mi_realloc(ptr, size.max(0) as usize) }
}

/// The usable size of an allocation, which SQLite may use in full (it sizes
/// its lookaside and page buffers by it).
unsafe extern "C" fn x_size(ptr: *mut c_void) -> c_int {
    let size = unsafe { libmimalloc_sys::mi_usable_size(ptr) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

/// What an allocation of `size` would really get, consistent with [`x_size`].
unsafe extern "C" fn x_roundup(size: c_int) -> c_int {
    let rounded = unsafe { libmimalloc_sys::mi_good_size(size.max(0) as usize) };
    c_int::try_from(rounded).unwrap_or(size)
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

fn mimalloc_methods() -> ffi::sqlite3_mem_methods {
    ffi::sqlite3_mem_methods {
        xMalloc: Some(x_malloc),
        xFree: Some(x_free),
        xRealloc: Some(x_realloc),
        xSize: Some(x_size),
        xRoundup: Some(x_roundup),
        xInit: Some(x_init),
        xShutdown: Some(x_shutdown),
        pAppData: std::ptr::null_mut(),
    }
}

/// Why SQLite kept its defaults: it had already been initialised in this
/// process (a connection opened before [`configure`] ran).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlreadyInitialised;

/// Puts SQLite on mimalloc with its memory statistics off, once per process.
/// Call it before the first SQLite connection opens; after that SQLite
/// refuses (`SQLITE_MISUSE`) and keeps its defaults, which is reported here
/// and changes nothing else.
pub fn configure() -> Result<(), AlreadyInitialised> {
    static OUTCOME: OnceLock<Result<(), AlreadyInitialised>> = OnceLock::new();
    *OUTCOME.get_or_init(|| {
        // SAFETY: `sqlite3_config` is variadic; each option is passed the one
        // argument type its documentation gives (an int; a pointer to a
        // `sqlite3_mem_methods`, which SQLite copies). It is not thread-safe
        // against other SQLite calls, which the `OnceLock` and the call order
        // (before any connection) provide.
        let status = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) };
        if status != ffi::SQLITE_OK {
            return Err(AlreadyInitialised);
        }
        let methods = mimalloc_methods();
        let status = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &raw const methods) };
        if status != ffi::SQLITE_OK {
            return Err(AlreadyInitialised);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_roundups_agree_and_memory_comes_from_mimalloc() {
        for size in [0, 1, 7, 8, 100, 1024, 4096, 65_536, 1 << 20] {
            unsafe {
                let ptr = x_malloc(size);
                assert!(!ptr.is_null(), "{size}");
                assert!(libmimalloc_sys::mi_is_in_heap_region(ptr), "{size}");
                assert_eq!(ptr as usize % 8, 0, "SQLite needs 8-byte alignment ({size})");
                assert!(x_size(ptr) >= size, "{size}");
                assert_eq!(x_size(ptr), x_roundup(size), "{size}");
                let grown = x_realloc(ptr, size * 2 + 16);
                assert!(x_size(grown) >= size * 2 + 16, "{size}");
                x_free(grown);
            }
        }
    }
}
