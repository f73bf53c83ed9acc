def test_ticket_list_opens(login):
    client = login("tech")
    assert client.get("/ticketview/list/").status_code == 200
