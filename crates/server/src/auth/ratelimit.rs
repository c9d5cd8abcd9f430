//! Rate limits on register and login, checked before any password hashing. Two keys: the client
//! address (every attempt counts), and the account together with the address, so a flood of
//! guesses against one account is stopped without locking its owner out from elsewhere.
//!
//! On one node the counters live in memory (governor); with Redis configured they are shared
//! by every node (fixed one-minute windows), falling back to the local ones if Redis fails.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Clone)]
pub struct AuthRateLimiter {
    inner: Option<Arc<Limiters>>,
    shared: Option<Shared>,
}

struct Limiters {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    per_ip_limit: u32,
    per_account_limit: u32,
}

#[derive(Clone)]
struct Shared {
    conn: redis::aio::ConnectionManager,
    prefix: String,
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
                per_ip_limit: per_ip_per_minute,
                per_account_limit: per_account_per_minute,
            })
        });
        Self {
            inner,
            shared: None,
        }
    }

    /// Shares the counters between nodes through Redis.
    pub fn with_redis(mut self, conn: redis::aio::ConnectionManager, prefix: &str) -> Self {
        self.shared = Some(Shared {
            conn,
            prefix: prefix.to_string(),
        });
        self
    }

    /// Counts one attempt; `Err(RateLimited)` when either limit is exhausted.
    pub async fn check(&self, ip: IpAddr, account: &str) -> Result<(), AppError> {
        let Some(l) = &self.inner else { return Ok(()) };
        if let Some(shared) = &self.shared {
            match shared.check(l, ip, account).await {
                Ok(result) => return result,
                Err(e) => {
                    tracing::warn!(error = %e, "shared rate limit unavailable; using this node's")
                }
            }
        }
        self.check_local(l, ip, account)
    }

    fn check_local(&self, l: &Limiters, ip: IpAddr, account: &str) -> Result<(), AppError> {
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

impl Shared {
    /// Fixed one-minute windows counted with INCR; the first increment sets the expiry.
    async fn check(
        &self,
        l: &Limiters,
        ip: IpAddr,
        account: &str,
    ) -> redis::RedisResult<Result<(), AppError>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let window = now / 60;
        let retry_after_secs = 60 - now % 60;
        let ip_key = format!("{}:rl:ip:{ip}:{window}", self.prefix);
        let account_key = format!("{}:rl:acct:{account}:{ip}:{window}", self.prefix);
        let mut conn = self.conn.clone();
        let (ip_count, account_count): (u32, u32) = redis::pipe()
            .atomic()
            .incr(&ip_key, 1)
            .expire(&ip_key, 120)
            .ignore()
            .incr(&account_key, 1)
            .expire(&account_key, 120)
            .ignore()
            .query_async(&mut conn)
            .await?;
        if ip_count > l.per_ip_limit || account_count > l.per_account_limit {
            return Ok(Err(AppError::RateLimited { retry_after_secs }));
        }
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_account_limit_is_per_address() {
        let limiter = AuthRateLimiter::new(true, 100, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.check(a, "ana@x.com").await.is_ok());
        assert!(limiter.check(a, "ana@x.com").await.is_ok());
        assert!(matches!(
            limiter.check(a, "ana@x.com").await,
            Err(AppError::RateLimited { .. })
        ));
        assert!(
            limiter.check(b, "ana@x.com").await.is_ok(),
            "the owner elsewhere is not locked out"
        );
    }

    #[tokio::test]
    async fn off_means_off() {
        let limiter = AuthRateLimiter::new(false, 1, 1);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..10 {
            assert!(limiter.check(a, "x").await.is_ok());
        }
    }
}
