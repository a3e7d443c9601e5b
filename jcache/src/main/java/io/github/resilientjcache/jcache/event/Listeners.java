package io.github.resilientjcache.jcache.event;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache's listener registrations and their delivery. Synchronous listeners run on the caller's thread
 * before the cache call returns, and what they throw reaches the caller (as a
 * {@link CacheEntryListenerException}; an {@link Error} as it is). Asynchronous ones run on the cache's own
 * serial executor, in the order the changes were made here, and what they throw is logged.
 */
public final class Listeners<K, V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private final String cacheName;
  private final Executor asyncDelivery;
  private final CopyOnWriteArrayList<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();

  /** {@code asyncDelivery} runs tasks one at a time, in order: the cache's serial executor. */
  public Listeners(String cacheName, Executor asyncDelivery) {
    this.cacheName = cacheName;
    this.asyncDelivery = Objects.requireNonNull(asyncDelivery, "asyncDelivery");
  }

  /** A listener made from its configuration's factories, with the filter it asked for. */
  private record Registration<K, V>(CacheEntryListenerConfiguration<K, V> configuration,
      CacheEntryListener<? super K, ? super V> listener, @Nullable CacheEntryEventFilter<? super K, ? super V> filter) {

    boolean wants(EventType type) {
      return switch (type) {
        case CREATED -> listener instanceof CacheEntryCreatedListener;
        case UPDATED -> listener instanceof CacheEntryUpdatedListener;
        case REMOVED -> listener instanceof CacheEntryRemovedListener;
        case EXPIRED -> listener instanceof CacheEntryExpiredListener;
      };
    }
  }

  /**
   * Makes the listener (and its filter) from the configuration's factories and starts delivering to it.
   *
   * @throws IllegalArgumentException if this configuration is registered already
   */
  public void register(CacheEntryListenerConfiguration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    for (Registration<K, V> r : registrations) {
      if (r.configuration().equals(configuration)) {
        throw new IllegalArgumentException("cache " + cacheName + ": this listener configuration is registered"
            + " already");
      }
    }
    Factory<? extends CacheEntryListener<? super K, ? super V>> factory =
        Objects.requireNonNull(configuration.getCacheEntryListenerFactory(), "the listener configuration's factory");
    CacheEntryListener<? super K, ? super V> listener = Objects.requireNonNull(factory.create(),
        "the listener its factory made");
    Factory<? extends CacheEntryEventFilter<? super K, ? super V>> filters =
        configuration.getCacheEntryEventFilterFactory();
    registrations.add(new Registration<>(configuration, listener, filters == null ? null : filters.create()));
  }

  /** Stops delivering to the listener of this configuration and closes it; false if it was not registered. */
  public boolean deregister(CacheEntryListenerConfiguration<K, V> configuration) {
    Objects.requireNonNull(configuration, "configuration");
    for (Registration<K, V> r : registrations) {
      if (r.configuration().equals(configuration) && registrations.remove(r)) {
        close(r);
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return registrations.isEmpty();
  }

  /** Whether some listener is told of this kind of change: when none is, the cache need not build events. */
  public boolean wants(EventType type) {
    for (Registration<K, V> r : registrations) {
      if (r.wants(type)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Delivers the events of one cache call: to synchronous listeners now (what they throw is thrown here,
   * after every synchronous listener had its turn), to the others on the serial executor.
   */
  public void fire(List<EntryEvent<K, V>> events) {
    if (events.isEmpty() || registrations.isEmpty()) {
      return;
    }
    RuntimeException thrown = null;
    Error error = null;
    for (Registration<K, V> r : registrations) {
      if (!r.configuration().isSynchronous()) {
        asyncDelivery.execute(() -> {
          try {
            deliver(r, events);
          } catch (RuntimeException | Error e) {
            log.warn("cache {}: the asynchronous listener {} threw: {}", cacheName, r.listener(), e.toString());
          }
        });
        continue;
      }
      try {
        deliver(r, events);
      } catch (CacheEntryListenerException e) {
        thrown = thrown == null ? e : thrown;
      } catch (RuntimeException e) {
        thrown = thrown == null ? new CacheEntryListenerException("cache " + cacheName + ": a listener threw "
            + e, e) : thrown;
      } catch (Error e) {
        error = error == null ? e : error;
      }
    }
    if (error != null) {
      throw error;
    }
    if (thrown != null) {
      throw thrown;
    }
  }

  /**
   * Delivers an event another JVM's change sent here: to every listener, synchronous ones included, on the
   * serial executor (the change is made already; nothing here can hold its writer up), in the order the
   * changes arrived. The event is made there too ({@code null}: nothing to deliver).
   */
  public void fireRemote(Supplier<@Nullable EntryEvent<K, V>> event) {
    asyncDelivery.execute(() -> {
      EntryEvent<K, V> e;
      try {
        e = event.get();
      } catch (RuntimeException x) {
        log.warn("cache {}: dropped another JVM's change that could not be read: {}", cacheName, x.toString());
        return;
      }
      if (e == null) {
        return;
      }
      List<EntryEvent<K, V>> events = List.of(e);
      for (Registration<K, V> r : registrations) {
        try {
          deliver(r, events);
        } catch (RuntimeException | Error x) {
          log.warn("cache {}: the listener {} threw on another JVM's change: {}", cacheName, r.listener(),
              x.toString());
        }
      }
    });
  }

  private static <K, V> void deliver(Registration<K, V> r, List<EntryEvent<K, V>> events) {
    for (EventType type : EventType.values()) {
      if (!r.wants(type)) {
        continue;
      }
      List<CacheEntryEvent<? extends K, ? extends V>> batch = new ArrayList<>();
      for (EntryEvent<K, V> e : events) {
        if (e.getEventType() == type && (r.filter() == null || r.filter().evaluate(e))) {
          batch.add(e);
        }
      }
      if (batch.isEmpty()) {
        continue;
      }
      @SuppressWarnings("unchecked") // the listener takes events of its cache's types, or of supertypes
      CacheEntryListener<K, V> l = (CacheEntryListener<K, V>) r.listener();
      switch (type) {
        case CREATED -> ((CacheEntryCreatedListener<K, V>) l).onCreated(batch);
        case UPDATED -> ((CacheEntryUpdatedListener<K, V>) l).onUpdated(batch);
        case REMOVED -> ((CacheEntryRemovedListener<K, V>) l).onRemoved(batch);
        case EXPIRED -> ((CacheEntryExpiredListener<K, V>) l).onExpired(batch);
      }
    }
  }

  /** Closes every listener and filter that is {@link Closeable} or {@link AutoCloseable}. */
  @Override
  public void close() {
    for (Registration<K, V> r : registrations) {
      registrations.remove(r);
      close(r);
    }
  }

  private void close(Registration<K, V> r) {
    closeQuietly(r.listener());
    closeQuietly(r.filter());
  }

  private void closeQuietly(@Nullable Object o) {
    if (o instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("cache {}: closing {} threw: {}", cacheName, o, e.toString());
      }
    }
  }
}
