package dev.sluice.postgres;

import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.SinkOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes one batch inside a transaction that the caller opens and commits. Returns one outcome per
 * item, in order; must leave no effect outside the given connection's transaction.
 */
@FunctionalInterface
public interface BatchWriter<T> {

    List<SinkOutcome> write(Connection connection, List<SinkItem<T>> batch) throws SQLException;
}
