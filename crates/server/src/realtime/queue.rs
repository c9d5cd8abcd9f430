//! A connection's outbound queue: bounded, several producers (the hub, the chat writer, the
//! reader) and one consumer (the connection's writer). A `VecDeque` under a mutex allocates
//! nothing until the first item and gives its slots back once a burst has drained, where
//! tokio's `mpsc` allocates its channel (~0.5 KiB, cache-padded) and a first block of 32 slots
//! for every connection up front: each idle connection paid for both.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Poll;

use futures::task::AtomicWaker;

/// Slots kept once the queue is empty again; a larger buffer (after a burst) is freed.
const KEEP: usize = 8;

pub struct Queue<T> {
    items: Mutex<VecDeque<T>>,
    capacity: usize,
    /// The consumer, waiting in `recv`.
    waker: AtomicWaker,
}

impl<T> Queue<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            items: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            waker: AtomicWaker::new(),
        }
    }

    fn items(&self) -> MutexGuard<'_, VecDeque<T>> {
        // Nothing panics while holding the lock; a poisoned queue is still a valid queue.
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item` unless the queue is full (then it is handed back).
    pub fn try_send(&self, item: T) -> Result<(), T> {
        self.try_send_leaving(item, 0)
    }

    /// Queues `item` only if at least `keep_free` slots stay free beside it (one look under
    /// the lock: the hub sheds volatile events this way without a second one).
    pub fn try_send_leaving(&self, item: T, keep_free: usize) -> Result<(), T> {
        let mut items = self.items();
        if items.len() + keep_free >= self.capacity {
            return Err(item);
        }
        items.push_back(item);
        drop(items);
        self.waker.wake();
        Ok(())
    }

    pub fn try_recv(&self) -> Option<T> {
        let mut items = self.items();
        let item = items.pop_front();
        if items.is_empty() && items.capacity() > KEEP {
            *items = VecDeque::new();
        }
        item
    }

    /// The next item; only the connection's writer calls it.
    pub async fn recv(&self) -> T {
        poll_fn(|cx| {
            if let Some(item) = self.try_recv() {
                return Poll::Ready(item);
            }
            self.waker.register(cx.waker());
            // An item queued between the first look and the registration.
            match self.try_recv() {
                Some(item) => Poll::Ready(item),
                None => Poll::Pending,
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_in_order_and_wakes_the_consumer() {
        let q = std::sync::Arc::new(Queue::new(2));
        assert!(q.try_send(1).is_ok());
        assert!(q.try_send(2).is_ok());
        assert_eq!(q.try_send(3), Err(3));
        assert_eq!(q.items().len(), 2);
        assert_eq!(q.recv().await, 1);
        assert_eq!(q.try_recv(), Some(2));
        assert_eq!(q.try_recv(), None);
        let consumer = tokio::spawn({
            let q = q.clone();
            async move { q.recv().await }
        });
        tokio::task::yield_now().await;
        q.try_send(4).unwrap();
        assert_eq!(consumer.await.unwrap(), 4);
    }

    #[test]
    fn keeping_slots_free_refuses_early() {
        let q = Queue::new(4);
        assert!(q.try_send_leaving(1, 2).is_ok());
        assert!(q.try_send_leaving(2, 2).is_ok());
        // Two queued, two must stay free: refused, though a plain send still fits.
        assert_eq!(q.try_send_leaving(3, 2), Err(3));
        assert!(q.try_send(3).is_ok());
    }

    #[test]
    fn a_drained_burst_gives_its_slots_back() {
        let q = Queue::new(100);
        for i in 0..50 {
            q.try_send(i).unwrap();
        }
        while q.try_recv().is_some() {}
        assert_eq!(q.items().capacity(), 0);
    }
}
