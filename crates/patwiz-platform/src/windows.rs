//! The Windows calls the adapters share: the current user's security identifier and an access
//! list that grants it alone. Every `unsafe` block calls one documented Win32 function with
//! buffers this module owns and sizes.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::io;
use std::os::windows::ffi::OsStrExt as _;
use std::path::Path;
use std::ptr::{null, null_mut};

use windows_sys::Win32::Foundation::{CloseHandle, ERROR_SUCCESS, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    GetNamedSecurityInfoW, SE_FILE_OBJECT, SetNamedSecurityInfoW,
};
use windows_sys::Win32::Security::{
    ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, ACL_REVISION, AddAccessAllowedAceEx,
    CONTAINER_INHERIT_ACE, DACL_SECURITY_INFORMATION, EqualSid, GetAce, GetLengthSid,
    GetTokenInformation, InitializeAcl, OBJECT_INHERIT_ACE, PROTECTED_DACL_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR, PSID, TOKEN_QUERY, TOKEN_USER, TokenUser,
};
use windows_sys::Win32::Storage::FileSystem::FILE_ALL_ACCESS;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// `ACCESS_ALLOWED_ACE_TYPE` (winnt.h).
const ACCESS_ALLOWED: u8 = 0;

/// The user this process runs as: its `TOKEN_USER`, which holds the SID.
struct CurrentUser {
    token_user: Vec<u64>,
}

impl CurrentUser {
    fn get() -> io::Result<CurrentUser> {
        let mut token: HANDLE = null_mut();
        // SAFETY: the pseudo-handle of this process; `token` receives a handle we close below.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut len = 0u32;
        // SAFETY: a size query (no buffer); it fails with the size needed in `len`.
        unsafe { GetTokenInformation(token, TokenUser, null_mut(), 0, &mut len) };
        let mut token_user = vec![0u64; (len as usize).div_ceil(8).max(1)];
        // SAFETY: `token_user` is at least `len` bytes and 8-aligned, as TOKEN_USER needs.
        let ok = unsafe {
            GetTokenInformation(
                token,
                TokenUser,
                token_user.as_mut_ptr().cast(),
                len,
                &mut len,
            )
        };
        let error = io::Error::last_os_error();
        // SAFETY: the handle OpenProcessToken gave us, closed once.
        unsafe { CloseHandle(token) };
        if ok == 0 {
            return Err(error);
        }
        Ok(CurrentUser { token_user })
    }

    fn sid(&self) -> PSID {
        // SAFETY: the buffer holds a TOKEN_USER written by GetTokenInformation; its SID points
        // into the same buffer, which lives as long as `self`.
        unsafe { (*self.token_user.as_ptr().cast::<TOKEN_USER>()).User.Sid }
    }
}

fn wide(path: &Path) -> Vec<u16> {
    path.as_os_str().encode_wide().chain([0]).collect()
}

/// Replaces the access list of the file or folder at `path` with a protected one (nothing
/// inherited from above) that grants the current user full control and no one else anything;
/// a folder's entry is inherited by what is created in it.
pub(crate) fn restrict_to_owner(path: &Path) -> io::Result<()> {
    let user = CurrentUser::get()?;
    // SAFETY: the SID is valid for `user`'s lifetime.
    let sid_len = unsafe { GetLengthSid(user.sid()) } as usize;
    let acl_len = size_of::<ACL>() + size_of::<ACCESS_ALLOWED_ACE>() - size_of::<u32>() + sid_len;
    let mut acl = vec![0u64; acl_len.div_ceil(8)];
    let acl_ptr = acl.as_mut_ptr().cast::<ACL>();
    let acl_len = u32::try_from(acl_len).map_err(io::Error::other)?;
    // SAFETY: `acl` is `acl_len` bytes, 8-aligned.
    if unsafe { InitializeAcl(acl_ptr, acl_len, ACL_REVISION) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let inherit = if path.is_dir() {
        OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
    } else {
        0
    };
    // SAFETY: the ACL was sized for exactly this one entry with this SID.
    if unsafe { AddAccessAllowedAceEx(acl_ptr, ACL_REVISION, inherit, FILE_ALL_ACCESS, user.sid()) }
        == 0
    {
        return Err(io::Error::last_os_error());
    }
    let name = wide(path);
    // SAFETY: a NUL-terminated path and a valid ACL; owner, group and SACL left unchanged.
    let rc = unsafe {
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            null_mut(),
            null_mut(),
            acl_ptr,
            null(),
        )
    };
    if rc != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(rc as i32));
    }
    Ok(())
}

/// Whether every entry granting access to `path` names the current user (no access list at all
/// grants everyone: false).
pub(crate) fn owner_only(path: &Path) -> io::Result<bool> {
    let user = CurrentUser::get()?;
    let name = wide(path);
    let mut dacl: *mut ACL = null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: out-pointers to locals; the descriptor is freed with LocalFree below and `dacl`
    // points into it.
    let rc = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            null_mut(),
            null_mut(),
            &mut dacl,
            null_mut(),
            &mut descriptor,
        )
    };
    if rc != ERROR_SUCCESS {
        return Err(io::Error::from_raw_os_error(rc as i32));
    }
    let mut only_owner = !dacl.is_null();
    if only_owner {
        // SAFETY: a valid ACL returned above.
        let count = unsafe { (*dacl).AceCount };
        for index in 0..u32::from(count) {
            let mut ace: *mut c_void = null_mut();
            // SAFETY: index < AceCount; `ace` points into the ACL.
            if unsafe { GetAce(dacl, index, &mut ace) } == 0 {
                only_owner = false;
                break;
            }
            // SAFETY: every ACE starts with an ACE_HEADER.
            let kind = unsafe { (*ace.cast::<ACE_HEADER>()).AceType };
            if kind != ACCESS_ALLOWED {
                continue;
            }
            // SAFETY: an ACCESS_ALLOWED_ACE, whose SID starts at SidStart.
            let sid =
                unsafe { std::ptr::addr_of_mut!((*ace.cast::<ACCESS_ALLOWED_ACE>()).SidStart) };
            // SAFETY: two valid SIDs.
            if unsafe { EqualSid(sid.cast(), user.sid()) } == 0 {
                only_owner = false;
                break;
            }
        }
    }
    // SAFETY: the descriptor GetNamedSecurityInfoW allocated, freed once.
    unsafe { LocalFree(descriptor) };
    Ok(only_owner)
}
