"""A TensorFlow 1.x training loop (graph mode, sessions, tf.contrib) that TensorFlow 2 rejects."""

import numpy as np
import tensorflow as tf

learning_rate = 0.01
x = tf.placeholder(tf.float32, shape=(None, 784), name="x")
y = tf.placeholder(tf.float32, shape=(None, 10), name="y")

hidden = tf.layers.dense(x, 128, activation=tf.nn.relu,
                         kernel_initializer=tf.contrib.layers.xavier_initializer())
logits = tf.layers.dense(hidden, 10)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
tf.summary.scalar("loss", loss)
merged = tf.summary.merge_all()

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    writer = tf.summary.FileWriter("logs", sess.graph)
    for step in range(100):
        batch_x = np.random.rand(32, 784).astype(np.float32)
        batch_y = np.eye(10)[np.random.randint(0, 10, 32)].astype(np.float32)
        _, summary = sess.run([train_op, merged], feed_dict={x: batch_x, y: batch_y})
        writer.add_summary(summary, step)
    saver = tf.train.Saver()
    saver.save(sess, "model.ckpt")
