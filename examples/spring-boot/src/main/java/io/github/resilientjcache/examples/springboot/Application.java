package io.github.resilientjcache.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A product catalogue behind a REST endpoint, cached with Spring's cache abstraction on resilient-jcache
 * ({@code application.yaml}: {@code spring.cache.type=jcache}, our provider, our config file).
 */
@SpringBootApplication
@EnableCaching
public class Application {

  public static void main(String[] args) {
    SpringApplication.run(Application.class, args);
  }
}
