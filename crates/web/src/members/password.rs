//! Password hashing with Argon2id (OWASP parameters: 19 MiB, 2 passes, one
//! lane) on a bounded blocking pool, so sign-ins never stall page serving.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    params: Params,
    /// Verified against when the email is unknown, so that answers take as
    /// long for unknown addresses as for known ones.
    /// Made on first use, not at start-up.
    dummy: Arc<std::sync::OnceLock<String>>,
}

/// The outcome of a check.
pub struct Checked {
    pub ok: bool,
    /// The stored hash used weaker parameters: store a fresh one.
    pub rehash: bool,
}

fn argon(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl Passwords {
    pub fn new() -> Self {
        let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
        let parallel = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self {
            permits: Arc::new(Semaphore::new(parallel)),
            params,
            dummy: Arc::default(),
        }
    }

    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let params = self.params.clone();
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_now(&params, &password))
            .await
            .map_err(AppError::internal)?
    }

    /// Checks `password` against `stored`; without a stored hash it checks a
    /// dummy one (and fails) so the time taken reveals nothing.
    pub async fn check(&self, password: &str, stored: Option<&str>) -> AppResult<Checked> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let known = stored.is_some();
        let stored = stored.map(str::to_string);
        let password = password.to_string();
        let params = self.params.clone();
        let dummy = self.dummy.clone();
        tokio::task::spawn_blocking(move || {
            let stored = stored.unwrap_or_else(|| {
                dummy
                    .get_or_init(|| {
                        hash_now(&params, "kawaraban timing equaliser").expect("hashing works")
                    })
                    .clone()
            });
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Checked {
                    ok: false,
                    rehash: false,
                };
            };
            // Always verify (the dummy too), then look at whether it was real.
            let matched = argon(params.clone())
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            let ok = matched && known;
            let current = Params::try_from(&parsed).ok();
            let rehash = ok
                && (parsed.algorithm.as_str() != "argon2id"
                    || current.is_none_or(|p| {
                        p.m_cost() < params.m_cost() || p.t_cost() < params.t_cost()
                    }));
            Checked { ok, rehash }
        })
        .await
        .map_err(AppError::internal)
    }
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

fn hash_now(params: &Params, password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(AppError::internal)?;
    argon(params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_weak_parameters_are_upgraded() {
        let p = Passwords::new();
        let h = p.hash("lantern harbour pickle").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let c = p.check("lantern harbour pickle", Some(&h)).await.unwrap();
        assert!(c.ok && !c.rehash);
        assert!(!p.check("wrong", Some(&h)).await.unwrap().ok);
        assert!(!p.check("anything", None).await.unwrap().ok);
        let weak = hash_now(&Params::new(8 * 1024, 1, 1, None).unwrap(), "old pass").unwrap();
        let c = p.check("old pass", Some(&weak)).await.unwrap();
        assert!(c.ok && c.rehash);
    }
}
