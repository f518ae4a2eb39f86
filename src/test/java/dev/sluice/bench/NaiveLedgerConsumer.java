package dev.sluice.bench;

import dev.sluice.testinfra.SimulatedCall;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.payments.Payment;
import dev.sluice.payments.PaymentParser;
import dev.sluice.payments.PaymentProperties;
import dev.sluice.pipeline.Decoded;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The baseline "naive": what a team writes by hand with Spring Kafka — a batch
 * {@code @KafkaListener}, AckMode.BATCH, one consumer thread per partition, and per poll one
 * transaction of {@code JdbcTemplate.batchUpdate}: insert the payments (ON CONFLICT DO NOTHING),
 * then add to the balances only the rows that were new. Same ledger semantics as Sluice (the
 * invariant is checked after its run too); the process step runs inline, record after record.
 */
final class NaiveLedgerConsumer implements AutoCloseable {

    static final String INSERT = """
            INSERT INTO sluice.payments (payment_id, account, currency, amount_cents, occurred_at, source_partition, source_offset)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (payment_id) DO NOTHING""";
    static final String ADD_TO_BALANCE = """
            INSERT INTO sluice.account_balances AS b (account, currency, balance_cents, payment_count, updated_at)
            VALUES (?, ?, ?, 1, now())
            ON CONFLICT (account, currency) DO UPDATE SET balance_cents = b.balance_cents + excluded.balance_cents,
                payment_count = b.payment_count + 1, updated_at = excluded.updated_at""";

    /** What the listener needs; a bean so the annotation can name topic and group. */
    record Settings(BenchInfra infra, String topic, String group, int concurrency, Duration stepDelay, AtomicLong firstNanos) {
    }

    private final AnnotationConfigApplicationContext context;
    private final Settings settings;

    private NaiveLedgerConsumer(AnnotationConfigApplicationContext context, Settings settings) {
        this.context = context;
        this.settings = settings;
    }

    static NaiveLedgerConsumer start(BenchInfra infra, String topic, String group, Duration stepDelay) {
        Settings settings = new Settings(infra, topic, group, Dataset.PARTITIONS, stepDelay, new AtomicLong());
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.registerBean("naiveSettings", Settings.class, () -> settings);
        context.register(NaiveConfiguration.class);
        context.refresh();
        return new NaiveLedgerConsumer(context, settings);
    }

    long firstRecordNanos() {
        return settings.firstNanos().get();
    }

    @Override
    public void close() {
        context.close();
    }

    /**
     * Bean definitions of the baseline's own context. Deliberately not a {@code @Configuration}:
     * it is registered by hand, so the application's component scan (tests included) never picks it up.
     */
    @EnableKafka
    static class NaiveConfiguration {

        @Bean(destroyMethod = "close")
        HikariDataSource naiveDataSource(Settings settings) {
            return settings.infra().dataSource(settings.concurrency());
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<byte[], byte[]> naiveFactory(Settings settings) {
            ConcurrentKafkaListenerContainerFactory<byte[], byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
            factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.infra().bootstrapServers(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, PollToCommit.class.getName())));
            factory.setBatchListener(true);
            factory.setConcurrency(settings.concurrency());
            factory.getContainerProperties().setAckMode(AckMode.BATCH);
            return factory;
        }

        @Bean
        NaiveListener naiveListener(Settings settings, HikariDataSource naiveDataSource) {
            return new NaiveListener(settings, naiveDataSource);
        }
    }

    static final class NaiveListener {
        private final Settings settings;
        private final JdbcTemplate jdbc;
        private final TransactionTemplate transactions;
        private final PaymentParser parser = new PaymentParser(new PaymentProperties(DataSize.ofKilobytes(16), 16));

        NaiveListener(Settings settings, HikariDataSource dataSource) {
            this.settings = settings;
            this.jdbc = new JdbcTemplate(dataSource);
            this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        }

        @KafkaListener(topics = "#{@naiveSettings.topic()}", groupId = "#{@naiveSettings.group()}",
                containerFactory = "naiveFactory", batch = "true")
        void onBatch(List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
            settings.firstNanos().compareAndSet(0, System.nanoTime());
            List<Object[]> rows = new ArrayList<>(records.size());
            List<Payment> payments = new ArrayList<>(records.size());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (parser.decode(record.key(), record.value()) instanceof Decoded.Accepted<Payment>(Payment payment)) {
                    SimulatedCall.take(settings.stepDelay());
                    payments.add(payment);
                    rows.add(new Object[] {payment.paymentId(), payment.account(), payment.currency(), payment.amountCents(),
                        Timestamp.from(payment.occurredAt()), record.partition(), record.offset()});
                }
            }
            transactions.executeWithoutResult(tx -> {
                int[] inserted = jdbc.batchUpdate(INSERT, rows);
                List<Object[]> balances = new ArrayList<>();
                for (int i = 0; i < inserted.length; i++) {
                    if (inserted[i] == 1) {
                        Payment payment = payments.get(i);
                        balances.add(new Object[] {payment.account(), payment.currency(), payment.amountCents()});
                    }
                }
                jdbc.batchUpdate(ADD_TO_BALANCE, balances);
            });
        }
    }
}
