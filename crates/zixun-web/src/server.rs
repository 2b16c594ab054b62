//! The accept loop: HTTP/1.1 and HTTP/2 by hyper, with the limits a public server needs and
//! `axum::serve` does not offer: a connection that has not sent its request headers within
//! `header_timeout` is closed, so is one idle between requests for `idle_timeout`, and at most
//! `max_connections` are served at once (the rest wait in the kernel's backlog, so that idle
//! sockets can never use up the process's file descriptors).

use std::{
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU8, AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{Router, body::Body, extract::ConnectInfo};
use hyper::{Request, body::Incoming};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::{conn::auto, graceful::GracefulShutdown},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
};
use tower::ServiceExt;

/// Connection limits (config keys `header_timeout_seconds`, `idle_timeout_seconds`,
/// `max_connections`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From a request's first byte (or the connection's opening) to the end of its headers.
    pub header_timeout: Duration,
    /// From the end of a response to the first byte of the next request.
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1000,
        }
    }
}

/// How long open connections get to finish at shutdown.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` turns true, then lets open requests finish.
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: not fatal.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
        let timer = ActivityTimer { activity: activity.clone(), limits };
        let app = app.clone();
        // The peer address feeds login throttling (`ConnectInfo`, as axum's own server sets it).
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            app.clone().oneshot(req.map(Body::new))
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder.http1().timer(timer).header_read_timeout(limits.header_timeout);
        let conn = graceful.watch(builder.serve_connection_with_upgrades(io, service).into_owned());
        tokio::spawn(async move {
            // Until hyper knows the protocol its header timer is not running: a socket that
            // sends nothing, or stalls inside what could still be HTTP/2's preface, is closed
            // here after the header timeout.
            let unheard = async {
                tokio::time::sleep(limits.header_timeout).await;
                if activity.undecided() {
                    return;
                }
                std::future::pending::<()>().await
            };
            tokio::select! {
                ended = conn => {
                    if let Err(e) = ended {
                        tracing::debug!(peer = %addr, error = %e, "connection ended with an error");
                    }
                }
                () = unheard => tracing::debug!(peer = %addr, "closed: no request within the header timeout"),
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!(seconds = DRAIN.as_secs(), "connections still open at shutdown were closed");
    }
    Ok(())
}

/// When a connection last wrote and first read since: what its timer goes by.
struct Activity {
    opened: Instant,
    /// Milliseconds since `opened`; [`NEVER`] until it happens.
    last_write: AtomicU64,
    first_read_since_write: AtomicU64,
    bytes_read: AtomicU64,
    /// The connection's first byte (0 before it): `P` may begin HTTP/2's preface.
    first_byte: AtomicU8,
}

const NEVER: u64 = u64::MAX;
/// What hyper reads before it picks HTTP/1 or HTTP/2 (the length of HTTP/2's preface).
const H2_PREFACE_LEN: u64 = 24;

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            last_write: AtomicU64::new(NEVER),
            first_read_since_write: AtomicU64::new(NEVER),
            bytes_read: AtomicU64::new(0),
            first_byte: AtomicU8::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(NEVER - 1)
    }

    fn read(&self, bytes: &[u8]) {
        if let Some(&b) = bytes.first() {
            let _ = self.first_byte.compare_exchange(0, b.max(1), Ordering::Relaxed, Ordering::Relaxed);
        }
        self.bytes_read.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let now = self.now_ms();
        let _ = self.first_read_since_write.compare_exchange(NEVER, now, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Nothing written yet, and nothing read or only the start of HTTP/2's preface: hyper is
    /// still deciding which protocol this is.
    fn undecided(&self) -> bool {
        let read = self.bytes_read.load(Ordering::Relaxed);
        self.last_write.load(Ordering::Relaxed) == NEVER
            && (read == 0 || (read < H2_PREFACE_LEN && self.first_byte.load(Ordering::Relaxed) == b'P'))
    }

    fn wrote(&self) {
        self.last_write.store(self.now_ms(), Ordering::Relaxed);
        self.first_read_since_write.store(NEVER, Ordering::Relaxed);
    }

    /// When a connection waiting for request headers should be closed: a request under way has
    /// `header_timeout` from its first byte; a connection that has answered a request is idle
    /// and has `idle_timeout` from its last byte out; one that never sent a byte, the header
    /// timeout from its opening.
    fn deadline(&self, limits: &ConnectionLimits) -> Instant {
        let at = |ms: u64, d: Duration| self.opened + Duration::from_millis(ms) + d;
        match (self.first_read_since_write.load(Ordering::Relaxed), self.last_write.load(Ordering::Relaxed)) {
            (NEVER, NEVER) => self.opened + limits.header_timeout,
            (NEVER, wrote) => at(wrote, limits.idle_timeout),
            (read, _) => at(read, limits.header_timeout),
        }
    }
}

/// A socket that tells its [`Activity`] of every read and write.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read(&buf.filled()[before..]);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.wrote();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's timer for one connection. hyper asks it only for the header read timeout, which it
/// starts whenever it waits for a request, idle or not; the sleep it hands back ends at the
/// connection's own [`Activity::deadline`] instead, so that idle and half-sent connections get
/// their own limits.
#[derive(Clone)]
struct ActivityTimer {
    activity: Arc<Activity>,
    limits: ConnectionLimits,
}

impl hyper::rt::Timer for ActivityTimer {
    fn sleep(&self, _: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now())
    }

    fn sleep_until(&self, _: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let deadline = self.activity.deadline(&self.limits);
        Box::pin(ActivitySleep { timer: self.clone(), sleep: Box::pin(tokio::time::sleep_until(deadline.into())) })
    }
}

struct ActivitySleep {
    timer: ActivityTimer,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Future for ActivitySleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if self.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // Bytes came or went while it slept: the deadline may have moved.
            let deadline = self.timer.activity.deadline(&self.timer.limits);
            if deadline <= Instant::now() {
                return Poll::Ready(());
            }
            self.sleep.as_mut().reset(deadline.into());
        }
    }
}

impl hyper::rt::Sleep for ActivitySleep {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_follow_the_connection() {
        let limits = ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1,
        };
        let a = Activity::new();
        assert_eq!(a.deadline(&limits), a.opened + limits.header_timeout, "silent from the start");
        assert!(a.undecided(), "nothing read: hyper has not picked a protocol");
        a.read(b"G");
        assert!(!a.undecided(), "not HTTP/2's preface: HTTP/1, hyper's header timer runs");
        let p = Activity::new();
        p.read(b"PRI * HT");
        assert!(p.undecided(), "the start of HTTP/2's preface");
        let started = a.deadline(&limits);
        assert!(started >= a.opened + limits.header_timeout && started < a.opened + limits.idle_timeout);
        a.read(b"G");
        assert_eq!(a.deadline(&limits), started, "more bytes of the same headers do not extend it");
        a.wrote();
        assert!(a.deadline(&limits) >= a.opened + limits.idle_timeout, "idle after an answer");
        a.read(b"G");
        assert!(a.deadline(&limits) < a.opened + limits.idle_timeout, "the next request has the header timeout");
    }
}
