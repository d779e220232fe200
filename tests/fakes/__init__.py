"""Fakes of the systems lms-bridge talks to: real servers on 127.0.0.1 answering in those systems' shapes."""
