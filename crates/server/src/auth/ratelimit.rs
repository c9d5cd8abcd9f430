//! Rate limits on register and login, checked before any password hashing. Two keys: the client
//! address (every attempt counts), and the account together with the address, so a flood of
//! guesses against one account is stopped without locking its owner out from elsewhere.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Clone)]
pub struct AuthRateLimiter {
    inner: Option<Arc<Limiters>>,
}

struct Limiters {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("max(1) is non-zero"))
}

impl AuthRateLimiter {
    pub fn new(enabled: bool, per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        let inner = enabled.then(|| {
            Arc::new(Limiters {
                per_ip: RateLimiter::keyed(per_minute(per_ip_per_minute)),
                per_account: RateLimiter::keyed(per_minute(per_account_per_minute)),
            })
        });
        Self { inner }
    }

    /// Counts one attempt; `Err(RateLimited)` when either limit is exhausted.
    pub fn check(&self, ip: IpAddr, account: &str) -> Result<(), AppError> {
        let Some(l) = &self.inner else { return Ok(()) };
        let now = DefaultClock::default().now();
        let retry = |wait: std::time::Duration| AppError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        };
        l.per_ip
            .check_key(&ip)
            .map_err(|nu| retry(nu.wait_time_from(now)))?;
        l.per_account
            .check_key(&(account.to_string(), ip))
            .map_err(|nu| retry(nu.wait_time_from(now)))?;
        if l.per_ip.len() > 100_000 {
            l.per_ip.retain_recent();
            l.per_account.retain_recent();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_limit_is_per_address() {
        let limiter = AuthRateLimiter::new(true, 100, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.check(a, "ana@x.com").is_ok());
        assert!(limiter.check(a, "ana@x.com").is_ok());
        assert!(matches!(
            limiter.check(a, "ana@x.com"),
            Err(AppError::RateLimited { .. })
        ));
        assert!(
            limiter.check(b, "ana@x.com").is_ok(),
            "the owner elsewhere is not locked out"
        );
    }

    #[test]
    fn off_means_off() {
        let limiter = AuthRateLimiter::new(false, 1, 1);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..10 {
            assert!(limiter.check(a, "x").is_ok());
        }
    }
}
