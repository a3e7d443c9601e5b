package io.github.resilientjcache.jcache.management;

import java.lang.management.ManagementFactory;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers a cache's beans with the platform MBean server under the spec's names, once each: registering
 * twice is a no-op, unregistering what is not there too. Names carry the manager's URI with any user info
 * taken out (the caller's job), so a password never reaches a JMX console.
 */
public final class ManagementBeans {

  /** The two kinds of bean, by the {@code type} key the spec gives them. */
  public enum Kind {
    CONFIGURATION("CacheConfiguration"),
    STATISTICS("CacheStatistics");

    private final String type;

    Kind(String type) {
      this.type = type;
    }
  }

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final String managerName;
  private final String cacheName;

  /** {@code managerName}: the manager's URI as it may be shown, without user info. */
  public ManagementBeans(String managerName, String cacheName) {
    this.managerName = safe(managerName);
    this.cacheName = safe(cacheName);
  }

  /** Registers {@code bean} as the cache's bean of this kind, unless one is registered already. */
  public synchronized void register(Kind kind, Object bean) {
    ObjectName name = name(kind);
    if (server.isRegistered(name)) {
      return;
    }
    try {
      server.registerMBean(bean, name);
    } catch (InstanceAlreadyExistsException e) {
      // registered meanwhile by another cache object of the same name: the first one stays
    } catch (JMException e) {
      throw new CacheException("cannot register the management bean " + name + ": " + e.getMessage(), e);
    }
  }

  public synchronized void unregister(Kind kind) {
    ObjectName name = name(kind);
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // gone already
    } catch (JMException e) {
      throw new CacheException("cannot unregister the management bean " + name + ": " + e.getMessage(), e);
    }
  }

  public ObjectName name(Kind kind) {
    String plain = "javax.cache:type=" + kind.type + ",CacheManager=" + managerName + ",Cache=" + cacheName;
    try {
      return new ObjectName(plain);
    } catch (MalformedObjectNameException e) {
      try { // a name with characters an unquoted value cannot hold (* ? " \): quoted, still unique
        return new ObjectName("javax.cache:type=" + kind.type + ",CacheManager=" + ObjectName.quote(managerName)
            + ",Cache=" + ObjectName.quote(cacheName));
      } catch (MalformedObjectNameException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  /** The characters an ObjectName value cannot hold unquoted become dots, as the spec's TCK expects. */
  private static String safe(String s) {
    return s.replaceAll("[:=\n,]", ".");
  }

}
