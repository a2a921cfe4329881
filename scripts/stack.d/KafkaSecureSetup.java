// Creates the SCRAM users and ACLs of the local broker's secured listeners, idempotently, through
// the Admin API (run by scripts/stack.d/kafka.sh with java's single-file source launcher, so the
// stack needs no kafka-tools jars and one JVM does it all).
//
//   java -cp 'lib/*' KafkaSecureSetup.java BOOTSTRAP SASL_BOOTSTRAP CA_FILE PREFIX WRITER WRITER_PASSWORD_FILE READER READER_PASSWORD_FILE
//
// WRITER gets every right on topics and consumer groups whose name starts with PREFIX, plus
// IdempotentWrite on the cluster (wharf's producer is idempotent). READER may only read and
// describe them: producing is refused with TOPIC_AUTHORIZATION_FAILED. Passwords come from files
// so they never appear on a command line. Then it logs in as WRITER over SASL_SSL with each SCRAM
// mechanism: the stack's readiness probe (kcat) cannot, since Debian 12's librdkafka 2.0.2 fails
// every SCRAM login against this broker (kafkajs and the Java client succeed), so it uses PLAIN.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaSecureSetup {
  private static final int SCRAM_ITERATIONS = 8192;

  public static void main(String[] args) throws Exception {
    if (args.length != 8) throw new IllegalArgumentException("usage: BOOTSTRAP SASL_BOOTSTRAP CA_FILE PREFIX WRITER WRITER_PASSWORD_FILE READER READER_PASSWORD_FILE");
    String bootstrap = args[0], saslBootstrap = args[1], caFile = args[2], prefix = args[3], writer = args[4], reader = args[6];
    String writerPassword = Files.readString(Path.of(args[5])).strip();
    String readerPassword = Files.readString(Path.of(args[7])).strip();

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      // One request per mechanism: a request may alter each user only once.
      for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256)) {
        List<UserScramCredentialAlteration> users = List.of(
            new UserScramCredentialUpsertion(writer, new ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), writerPassword),
            new UserScramCredentialUpsertion(reader, new ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), readerPassword));
        admin.alterUserScramCredentials(users).all().get();
      }

      List<AclBinding> acls = new ArrayList<>();
      for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP)) {
        acls.add(allow(writer, type, prefix, PatternType.PREFIXED, AclOperation.ALL));
        acls.add(allow(reader, type, prefix, PatternType.PREFIXED, AclOperation.READ));
        acls.add(allow(reader, type, prefix, PatternType.PREFIXED, AclOperation.DESCRIBE));
      }
      acls.add(allow(writer, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE));
      admin.createAcls(acls).all().get();
    }
    for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256)) {
      logIn(saslBootstrap, caFile, mechanism.mechanismName(), writer, writerPassword);
    }
    System.out.printf("secured listeners: SCRAM users %s and %s, ACLs on %s* made; %s logs in with SCRAM%n", writer, reader, prefix, writer);
  }

  // The broker learns new credentials from its metadata log a moment after the request: retried.
  private static void logIn(String bootstrap, String caFile, String mechanism, String user, String password) throws Exception {
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        "security.protocol", "SASL_SSL",
        "ssl.truststore.type", "PEM",
        "ssl.truststore.location", caFile,
        "sasl.mechanism", mechanism,
        "sasl.jaas.config", String.format("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"%s\" password=\"%s\";", user, password));
    for (int attempt = 1; ; attempt++) {
      try (Admin admin = Admin.create(config)) {
        admin.describeCluster().clusterId().get();
        return;
      } catch (ExecutionException e) {
        if (attempt == 10) throw new IllegalStateException(user + " cannot log in with " + mechanism, e.getCause());
        Thread.sleep(500);
      }
    }
  }

  private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation operation) {
    return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
  }
}
