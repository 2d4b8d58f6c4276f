from bidders.roles import firm_of, is_regulator


def roles(request):
    user = request.user
    return {"is_regulator": is_regulator(user), "current_firm": firm_of(user)}
