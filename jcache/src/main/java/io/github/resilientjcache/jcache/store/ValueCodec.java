package io.github.resilientjcache.jcache.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.cache.CacheException;
import org.jspecify.annotations.Nullable;

/**
 * Turns cache keys and values into bytes and back. Java serialization, read through an allow-list filter:
 * a value planted in Redis whose classes are not the cache's declared types, the JDK's value types
 * ({@code java.lang}, {@code java.util}, {@code java.time}, {@code java.math}) or a pattern the config
 * allows is refused with a clear error before any of its code runs, and the depth, array sizes and total
 * size a value may have are bounded. Keys that are Strings skip serialization: their text is the key.
 */
public final class ValueCodec {

  /**
   * Classes every cache may hold: the JDK's value types, arrays of them, and their serial forms. The filter
   * judges an array by its element type, so {@code java.io.Serializable} is there for arrays typed by it
   * (Hibernate caches an entity's state as a {@code Serializable[]}): an interface is never instantiated, and
   * each element is judged by its own class.
   */
  private static final List<String> JDK_VALUE_TYPES = List.of("java.lang.*", "java.util.*", "java.time.*",
      "java.math.*", "java.net.URI", "java.net.URL", "java.util.concurrent.*", "java.io.Serializable");
  private static final long MAX_DEPTH = 50;
  private static final long MAX_ARRAY = 10_000_000;

  private final String cacheName;
  private final ClassLoader classLoader;
  private final ObjectInputFilter filter;
  private final long maxBytes;

  /**
   * @param allowedTypes the cache's declared key and value types (besides the JDK's value types)
   * @param allowedPatterns more classes to allow, as {@code ObjectInputFilter} patterns ({@code com.acme.*})
   * @param maxBytes the largest serialized value that may be written or read back
   */
  public ValueCodec(String cacheName, ClassLoader classLoader, Set<Class<?>> allowedTypes,
      List<String> allowedPatterns, long maxBytes) {
    this.maxBytes = maxBytes;
    this.cacheName = Objects.requireNonNull(cacheName, "cacheName");
    this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    List<String> allow = new ArrayList<>(JDK_VALUE_TYPES);
    for (Class<?> c : allowedTypes) {
      if (c != Object.class) {
        allow.add(c.getName());
      }
    }
    allow.addAll(allowedPatterns);
    String spec = "maxdepth=" + MAX_DEPTH + ";maxarray=" + MAX_ARRAY + ";maxbytes=" + maxBytes + ";"
        + String.join(";", allow) + ";!*";
    this.filter = ObjectInputFilter.Config.createFilter(spec);
  }

  /** The encoded form of a key: its text when it is a String, else its serialized bytes. */
  public KeyLayout.EncodedKey encodeKey(Object key) {
    if (key instanceof String s) {
      return KeyLayout.EncodedKey.ofString(s);
    }
    return KeyLayout.EncodedKey.ofBytes(serialize(key, "key"));
  }

  public Object decodeKey(KeyLayout.EncodedKey key) {
    return key.isString() ? key.text() : deserialize(key.bytes(), "key");
  }

  /** A byte buffer that refuses to grow past a limit, so an oversized value fails before it is all copied. */
  private static final class Bounded extends ByteArrayOutputStream {
    private final long limit;

    Bounded(long limit) {
      super(128);
      this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
      check(1);
      super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      check(len);
      super.write(b, off, len);
    }

    private void check(int more) {
      if ((long) count + more > limit) {
        throw new TooLarge();
      }
    }

    /** Unchecked, so it passes through ObjectOutputStream's writes as it is. */
    static final class TooLarge extends RuntimeException {
      private static final long serialVersionUID = 1L;

      TooLarge() {
        super(null, null, false, false);
      }
    }
  }

  public byte[] encodeValue(Object value) {
    return serialize(value, "value");
  }

  public Object decodeValue(byte[] bytes) {
    return deserialize(bytes, "value");
  }

  private byte[] serialize(Object o, String what) {
    Bounded bytes = new Bounded(maxBytes);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    } catch (Bounded.TooLarge e) {
      throw new CacheException("cache " + cacheName + ": the " + what + " of type " + o.getClass().getName()
          + " is larger than the " + maxBytes + " bytes a value may have serialized (serialization.maxValueBytes);"
          + " nothing was written");
    } catch (NotSerializableException e) {
      throw new CacheException("cache " + cacheName + ": the " + what + " of type " + o.getClass().getName()
          + " cannot be stored: " + e.getMessage() + " is not Serializable", e);
    } catch (IOException | RuntimeException e) {
      throw new CacheException("cache " + cacheName + ": the " + what + " of type " + o.getClass().getName()
          + " cannot be serialized: " + e, e);
    }
    return bytes.toByteArray();
  }

  private Object deserialize(byte[] bytes, String what) {
    FilteredInput in = null;
    try {
      in = new FilteredInput(new ByteArrayInputStream(bytes), classLoader, filter);
      return in.readObject();
    } catch (InvalidClassException e) {
      String refused = in == null || in.refused == null ? "" : " of class " + in.refused;
      throw new CacheException("cache " + cacheName + ": a " + what + " in Redis was refused" + refused + " ("
          + e.getMessage() + "); only the cache's declared types, the JDK's value types and the classes the"
          + " config's serialization.allowedClasses lists are read", e);
    } catch (ClassNotFoundException e) {
      throw new CacheException("cache " + cacheName + ": a " + what + " in Redis has a class this application"
          + " does not have: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new CacheException("cache " + cacheName + ": a " + what + " in Redis cannot be read (" + e
          + "): it is truncated or was not written by this cache", e);
    } finally {
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // a byte array: nothing to release
        }
      }
    }
  }

  /**
   * Resolves classes through the cache's class loader, and lets the filter see every one first, noting the
   * class it refused for the error message.
   */
  private static final class FilteredInput extends ObjectInputStream {
    private final ClassLoader loader;
    private @Nullable String refused;

    FilteredInput(ByteArrayInputStream in, ClassLoader loader, ObjectInputFilter filter) throws IOException {
      super(in);
      this.loader = loader;
      setObjectInputFilter(info -> {
        ObjectInputFilter.Status status = filter.checkInput(info);
        if (status == ObjectInputFilter.Status.REJECTED && info.serialClass() != null) {
          refused = info.serialClass().getName();
        }
        return status;
      });
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      try {
        return Class.forName(desc.getName(), false, loader);
      } catch (ClassNotFoundException e) {
        return super.resolveClass(desc);
      }
    }
  }
}
